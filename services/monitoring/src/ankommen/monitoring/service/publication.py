"""What the pages say about publication as a whole, beside the published tables."""

from __future__ import annotations

from collections.abc import Iterable

from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork


async def has_facts(unit: MonitoringUnitOfWork, months: Iterable[str]) -> bool:
    """Whether monitoring counted any fact in ``months`` (the published ones): if none, the
    dashboard says plainly that nothing has been published yet rather than showing a page of
    empty tables. It tells only that the whole county had no fact at all in every closed
    month of the history — nothing about a person, and nothing about the open month."""
    wanted = set(months)
    return any(month in wanted for month in await unit.aggregates.months())
