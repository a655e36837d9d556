"""Reports from providers' own systems on ``ankommen.provider.reports``, in batches.

The provider names itself in the envelope ``source`` (``/providers/<provider_id>``; in
production the broker's ACLs let each provider's principal write only its own source). Each
message must be keyed by the report's referral code — the key decides the partition, and so
keeps one participant's reports in order; a message without that key is refused (``key``),
since it may have overtaken or be overtaken by another report of the same participant.

A batch of messages is one unit of work: the reports go through the same validation as every
other channel (grouped per provider, a report sees the earlier ones of the batch), accepted
reports and their events are stored together, and every refused report is answered on
``ankommen.provider.rejections`` with the field and the reason — all in one transaction with
the batch's inbox rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ankommen.progress.domain.problems import Problem
from ankommen.progress.service.reporting import Channel, Verdict, parse_report, submit_reports
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportRejected,
    RejectionReason,
    ReportBase,
)
from ankommen.shared.messaging.consumer import Delivery

PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
UNKNOWN_KEY = "unknown"
KEY_MISMATCH = "the message key must be the report's referral_code"


def provider_of(source: str) -> str | None:
    provider_id = source.removeprefix(PROVIDER_SOURCE_PREFIX)
    if source.startswith(PROVIDER_SOURCE_PREFIX) and PROVIDER_ID.match(provider_id):
        return provider_id
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def receive_provider_reports(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
    """Validate and store a batch of provider messages; refuse each faulty one on the
    rejections topic. Reports are submitted per provider, in the order they arrived."""
    by_provider: dict[str, list[ReportBase]] = {}
    for delivery in deliveries:
        raw = delivery.event.data.report
        provider_id = provider_of(delivery.event.envelope.source)
        if provider_id is None:
            await _reject(uow, None, raw, [Problem(
                "source", f"must be {PROVIDER_SOURCE_PREFIX}<provider_id>")])
            continue
        report, problems = parse_report(raw)
        if report is None:
            await _reject(uow, provider_id, raw, problems)
            continue
        if delivery.key != report.referral_code:
            await _reject(uow, provider_id, raw, [Problem("key", KEY_MISMATCH)])
            continue
        by_provider.setdefault(provider_id, []).append(report)
    for provider_id, reports in by_provider.items():
        outcomes = await submit_reports(uow, provider_id, reports, Channel.KAFKA)
        for report, outcome in zip(reports, outcomes, strict=True):
            if outcome.verdict is Verdict.REJECTED:
                await _reject(uow, provider_id, {"report_id": report.report_id,
                                                 "referral_code": report.referral_code},
                              outcome.problems)


async def _reject(uow: UnitOfWork, provider_id: str | None, raw: Any,
                  problems: list[Problem]) -> None:
    identity = raw if isinstance(raw, dict) else {}
    report_id = _text(identity.get("report_id"))
    referral_code = _text(identity.get("referral_code"))
    key = referral_code or report_id or UNKNOWN_KEY
    await uow.publish(ProviderReportRejected(
        provider_id=provider_id, report_id=report_id and report_id[:64],
        referral_code=referral_code and referral_code[:64],
        errors=[RejectionReason(field=problem.field[:100], reason=problem.reason[:300])
                for problem in problems]), key=key[:64])
