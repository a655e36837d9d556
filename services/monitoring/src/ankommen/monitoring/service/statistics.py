"""Reading published statistics: a protected table for a query, and data freshness.

Every channel (API, CSV, dashboard, report) goes through :func:`published_table`, so all of
them show the same protected numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Published
from ankommen.monitoring.domain.goals import (
    KeyFigure,
    b1_share,
    capacity_use,
    median_wait,
    median_wait_weeks,
    placed_within_6_weeks,
)
from ankommen.monitoring.domain.measures import (
    CAPACITY,
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    PLACEMENTS,
    TRANSITIONS,
    UNMET_DEMAND,
    WAITLISTED,
    Measure,
)
from ankommen.monitoring.domain.tables import MONTH, PublishedTable, Query, tabulate
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory


async def published_table(uow: UnitOfWorkFactory, query: Query, policy: DisclosurePolicy
                          ) -> PublishedTable:
    async with uow() as unit:
        cells = await Aggregates(unit.session).cells_of(
            query.measure.name, query.first_month, query.last_month, query.district)
    return tabulate(query, cells, policy)


@dataclass(frozen=True)
class Coverage:
    """What the aggregates cover: months, districts, and the newest fact's publication."""

    months: list[str]
    districts: list[str]
    data_as_of: datetime | None


async def coverage(uow: UnitOfWorkFactory) -> Coverage:
    async with uow() as unit:
        aggregates = Aggregates(unit.session)
        return Coverage(await aggregates.months(), await aggregates.districts(),
                        await aggregates.last_published_at())


async def data_as_of(uow: UnitOfWorkFactory) -> datetime | None:
    """Data freshness: when the newest fact monitoring has counted was published."""
    async with uow() as unit:
        return await Aggregates(unit.session).last_published_at()


@dataclass(frozen=True)
class FactIntake:
    fact_type: str
    applied: int
    held: int
    unused: int
    last_published_at: datetime | None


async def fact_intake(uow: UnitOfWorkFactory) -> list[FactIntake]:
    async with uow() as unit:
        return [FactIntake(*row) for row in await Aggregates(unit.session).intake()]


@dataclass(frozen=True)
class Goals:
    median_wait: KeyFigure
    b1_share: KeyFigure


async def goals_of_year(uow: UnitOfWorkFactory, year: int, policy: DisclosurePolicy,
                        goal_median_wait_weeks: int, goal_b1_share_percent: int) -> Goals:
    async with uow() as unit:
        aggregates = Aggregates(unit.session)
        placements = await aggregates.cells_of(PLACEMENTS.name, f"{year}-01", f"{year}-12")
        exams = await aggregates.cells_of(EXAM_RESULTS.name, f"{year}-01", f"{year}-12")
    return Goals(median_wait(placements, policy, goal_median_wait_weeks),
                 b1_share(exams, policy, goal_b1_share_percent))


@dataclass(frozen=True)
class KeyFigures:
    """The dashboard's key figures for a selection of months and district.

    Each count is the protected total (or row) of a published table, so it equals what the
    API shows for that table; shares are ratios of two protected counts; the median wait
    (first placements, whole weeks) is published from 10 placements only."""

    arrivals: Published
    placements: Published
    waitlisted: Published
    completed: Published
    discontinued: Published
    b1_share: KeyFigure
    median_wait_weeks: Published
    within_6_weeks: str | None
    unmet_demand: Published
    capacity_use: str | None
    transitions: Published


async def key_figures(uow: UnitOfWorkFactory, arrivals: Query, policy: DisclosurePolicy,
                      goal_b1_share_percent: int) -> KeyFigures:
    """Key figures for the arrivals query's months and district (its German-level filter
    narrows arrivals only: the other measures do not know the level at intake)."""

    def of(measure: Measure, by: str) -> Query:
        return Query(measure, arrivals.first_month, arrivals.last_month, by, arrivals.district)

    async def table(query: Query) -> PublishedTable:
        return await published_table(uow, query, policy)

    by_outcome = {row.label: row.count
                  for row in (await table(of(COURSE_OUTCOMES, "outcome"))).rows}
    async with uow() as unit:
        aggregates = Aggregates(unit.session)
        exams, placements, capacity = [await aggregates.cells_of(
            measure.name, arrivals.first_month, arrivals.last_month, arrivals.district)
            for measure in (EXAM_RESULTS, PLACEMENTS, CAPACITY)]
    return KeyFigures(
        arrivals=(await table(replace(arrivals, by=MONTH))).total.count,
        placements=(await table(of(PLACEMENTS, MONTH))).total.count,
        waitlisted=(await table(of(WAITLISTED, MONTH))).total.count,
        completed=by_outcome["completed"],
        discontinued=by_outcome["discontinued"],
        b1_share=b1_share(exams, policy, goal_b1_share_percent),
        median_wait_weeks=median_wait_weeks(placements, policy),
        within_6_weeks=placed_within_6_weeks(placements, policy),
        unmet_demand=(await table(of(UNMET_DEMAND, MONTH))).total.count,
        capacity_use=capacity_use(capacity, policy),
        transitions=(await table(of(TRANSITIONS, MONTH))).total.count)
