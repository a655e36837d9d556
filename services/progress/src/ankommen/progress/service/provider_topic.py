"""Reports from providers' own systems, each on its own topic
``ankommen.provider.<provider_id>.reports``, in batches.

Whose report it is, the topic says — not the message. Kafka's ACLs can restrict who writes a
topic, never what a message claims: each provider's principal may write only its own
reports topic, so the topic's name is the one thing a provider cannot forge. The envelope
``source`` must name the same provider (``/providers/<provider_id>``); a message that names
another is refused (``source``), never attributed to the provider it names — provider A
writing "as B" gets a rejection on A's own rejections topic, and B's data and B's topic see
nothing of it. Each message must be keyed by the report's referral code — the key decides the
partition, and so keeps one participant's reports in order; a message without that key is
refused (``key``), since it may have overtaken or be overtaken by another report of the same
participant.

A batch of messages (from any providers' topics) is one unit of work: the reports go through
the same validation as every other channel (grouped per provider, a report sees the earlier
ones of the batch), accepted reports and their events are stored together, and every refused
report is answered on its provider's ``ankommen.provider.<provider_id>.rejections`` with the
field and the reason — all in one transaction with the batch's inbox rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.problems import Problem
from ankommen.progress.service.reporting import (
    Channel,
    Verdict,
    keep_unparsed,
    parse_report,
    rejected,
    report_fields,
    submit_reports,
)
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportRejected,
    ProviderReportSubmitted,
    RejectionReason,
    Report,
)
from ankommen.shared.messaging.consumer import Delivery
from ankommen.shared.messaging.topics import PROVIDER_REPORTS

UNKNOWN_KEY = "unknown"
KEY_MISMATCH = "the message key must be the report's referral_code"


class NotAProviderTopic(ValueError):
    """A report from a topic that names no provider: the subscription's pattern admits none,
    so this is a bug, and the message is dead-lettered rather than attributed to anyone."""


def provider_of_topic(topic: str) -> str:
    provider_id = PROVIDER_REPORTS.provider_of(topic)
    if provider_id is None:
        raise NotAProviderTopic(f"not a provider's reports topic: {topic!r}")
    return provider_id


def source_problem(source: str, provider_id: str) -> Problem | None:
    """Refuses a ``source`` other than the topic's provider's own."""
    expected = f"{PROVIDER_SOURCE_PREFIX}{provider_id}"
    if source == expected:
        return None
    return Problem("source", f"must be {expected}, the provider of this topic")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def receive_provider_reports(uow: ProgressUnitOfWork, deliveries: Sequence[Delivery]) -> None:
    """Validate and store a batch of provider messages, each the report of the provider whose
    topic it came on; refuse each faulty one on that provider's rejections topic. Reports are
    submitted per provider, in the order they arrived."""
    by_provider: dict[str, list[Report]] = {}
    for delivery in deliveries:
        raw = delivery.event.data_as(ProviderReportSubmitted).report
        provider_id = provider_of_topic(delivery.topic)
        forged = source_problem(delivery.event.envelope.source, provider_id)
        if forged is not None:
            await _reject(uow, provider_id, raw, [forged])
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
                # submit_reports kept this refusal already; the topic still hears of it.
                await _reject(uow, provider_id, {"report_id": report.report_id,
                                                 "referral_code": report.referral_code},
                              outcome.problems, kept=True)


async def _reject(uow: ProgressUnitOfWork, provider_id: str, raw: Any,
                  problems: list[Problem], *, kept: bool = False) -> None:
    """Refuse on the provider's rejections topic, and keep the refusal for its page."""
    if not kept:
        await keep_unparsed(uow, provider_id, [rejected(raw, problems)], Channel.KAFKA)
    identity = report_fields(raw)
    report_id = _text(identity.get("report_id"))
    referral_code = _text(identity.get("referral_code"))
    key = referral_code or report_id or UNKNOWN_KEY
    await uow.publish(ProviderReportRejected(
        provider_id=provider_id, report_id=report_id and report_id[:64],
        referral_code=referral_code and referral_code[:64],
        errors=[RejectionReason(field=problem.field[:100], reason=problem.reason[:300])
                for problem in problems]), key=key[:64])
