"""Refused reports kept for the provider's page (``/refused``): from every channel (web form,
roster, CSV, HTTP batch, the provider's Kafka topic) the report's id, referral code and kind
and why it was refused — a provider's staff see there what its own system's sent reports
still lack, without reading a rejections topic.

No personal data: a report names a participant only by referral code, and the body is not
kept. Rows older than the retention (``refused_report_retention_days``) are purged by the
injected clock's "now", so a test that moves the clock sees them go.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from ankommen.progress.adapters.refused_reports import RefusedReport
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork, ProgressUnits
from ankommen.progress.domain.problems import Problem
from ankommen.shared.repeating import repeating

#: Refusals shown on the page at most (the newest): a page, not an export.
SHOWN = 500
#: Default days a refusal is kept (``ProgressSettings.refused_report_retention_days``): a
#: quarter covers the monthly reports and their corrections and a county's quarterly check.
RETENTION_DAYS = 90

#: (report id, referral code, kind, problems) of one refused report.
Refused = tuple[str | None, str | None, str | None, list[Problem]]


async def keep_refused(uow: ProgressUnitOfWork, provider_id: str, channel: str,
                       refused: Iterable[Refused]) -> None:
    """Store ``refused`` in ``uow`` (the same transaction as the accepted reports of the
    batch, so a batch that fails leaves no refusals behind either)."""
    await uow.refused_reports.add_all(provider_id, channel, uow.clock.now(), list(refused))


async def refused_reports(uow: ProgressUnitOfWork, provider_id: str) -> list[RefusedReport]:
    return await uow.refused_reports.of_provider(provider_id, SHOWN)


async def forget_old_refusals(uow: ProgressUnitOfWork, retention_days: int) -> int:
    """Delete the refusals older than ``retention_days``; how many went."""
    return await uow.refused_reports.delete_before(
        uow.clock.now() - timedelta(days=retention_days))


def refusal_purger(uow: ProgressUnits, retention_days: int, interval: float = 3600.0
                   ) -> Callable[[], Awaitable[None]]:
    """A background job purging once per ``interval`` seconds, surviving any single failure
    (the database may be away for a while)."""

    async def turn() -> None:
        async with uow() as unit:
            await forget_old_refusals(unit, retention_days)
            await unit.commit()

    return repeating("purging refused reports", turn, interval)
