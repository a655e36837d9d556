"""Reports from providers' own systems on ``ankommen.provider.reports``.

The provider names itself in the envelope ``source`` (``/providers/<provider_id>``; in
production the broker's ACLs let each provider's principal write only its own source). The
report goes through the same validation as every other channel; a refused report is answered
on ``ankommen.provider.rejections`` with the field and the reason, in the same transaction.
"""

from __future__ import annotations

import re

from ankommen.progress.domain.problems import Problem
from ankommen.progress.service.reporting import Channel, Verdict, parse_report, submit_reports
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportRejected,
    ProviderReportSubmitted,
    RejectionReason,
)
from ankommen.shared.events.registry import DecodedEvent

PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
UNKNOWN_KEY = "unknown"


def provider_of(source: str) -> str | None:
    provider_id = source.removeprefix(PROVIDER_SOURCE_PREFIX)
    if source.startswith(PROVIDER_SOURCE_PREFIX) and PROVIDER_ID.match(provider_id):
        return provider_id
    return None


async def receive_provider_report(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: ProviderReportSubmitted = event.data
    raw = data.report
    provider_id = provider_of(event.envelope.source)
    if provider_id is None:
        problems = [Problem("source", f"must be {PROVIDER_SOURCE_PREFIX}<provider_id>")]
        await _reject(uow, None, raw.get("report_id"), raw.get("referral_code"), problems)
        return
    report, problems = parse_report(raw)
    if report is None:
        await _reject(uow, provider_id, raw.get("report_id"), raw.get("referral_code"),
                      problems)
        return
    [outcome] = await submit_reports(uow, provider_id, [report], Channel.KAFKA)
    if outcome.verdict is Verdict.REJECTED:
        await _reject(uow, provider_id, report.report_id, report.referral_code,
                      outcome.problems)


async def _reject(uow: UnitOfWork, provider_id: str | None, report_id: object,
                  referral_code: object, problems: list[Problem]) -> None:
    report_id = report_id if isinstance(report_id, str) else None
    referral_code = referral_code if isinstance(referral_code, str) else None
    key = referral_code or report_id or UNKNOWN_KEY
    await uow.publish(ProviderReportRejected(
        provider_id=provider_id, report_id=report_id and report_id[:64],
        referral_code=referral_code and referral_code[:64],
        errors=[RejectionReason(field=problem.field[:100], reason=problem.reason[:300])
                for problem in problems]), key=key[:64])
