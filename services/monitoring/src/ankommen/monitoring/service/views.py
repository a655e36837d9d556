"""The read model of the published statistics: everything one page or export reads, on **one**
unit of work per request.

A dashboard shows up to thirty tables, the key figures and the correction notes; each used to
open its own unit (and session). Here the request opens one (:func:`statistics_views`), every
query runs on it, and it is left without a commit — a read writes nothing. The cells of a
measure and year are read once per request (:class:`~.statistics.YearCells`) and shared by
every table that needs them.

It lives in the service layer, not in ``adapters/``: it composes use cases
(:mod:`.statistics`, :mod:`.review`, :mod:`.publication`) and the publication rules, and the
queries stay in the repositories the unit owns.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Iterable
from datetime import datetime

from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.review import Correction
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import PublishedTable, Query
from ankommen.monitoring.service.publication import has_facts
from ankommen.monitoring.service.review import corrections
from ankommen.monitoring.service.statistics import (
    KeyFigures,
    YearCells,
    key_figures,
    published_table,
)
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory


class StatisticsViews:
    """The published statistics as of ``now``, read on one open unit."""

    def __init__(self, unit: MonitoringUnitOfWork, policy: DisclosurePolicy,
                 rules: PublicationRules, now: datetime) -> None:
        self.unit = unit
        self.policy = policy
        self.rules = rules
        self.now = now
        self._cells = YearCells(unit)

    async def table(self, query: Query) -> PublishedTable:
        return await published_table(self._cells, query, self.policy, self.rules, self.now)

    async def key_figures(self, period: Period, district: str | None,
                          goal_b1_share_percent: int, goal_median_wait_weeks: int
                          ) -> KeyFigures:
        return await key_figures(self._cells, period, district, self.policy, self.rules,
                                 self.now, goal_b1_share_percent, goal_median_wait_weeks)

    async def corrections(self, first_month: str | None = None,
                          last_month: str | None = None) -> list[Correction]:
        return await corrections(self.unit, first_month, last_month)

    async def has_facts(self, months: Iterable[str]) -> bool:
        return await has_facts(self.unit, months)


@contextlib.asynccontextmanager
async def statistics_views(uow: UnitOfWorkFactory[MonitoringUnitOfWork],
                           policy: DisclosurePolicy, rules: PublicationRules, now: datetime
                           ) -> AsyncGenerator[StatisticsViews]:
    """One request's reads: one unit of work, rolled back when the request is done."""
    async with uow() as unit:
        yield StatisticsViews(unit, policy, rules, now)
