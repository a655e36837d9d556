"""Reading published statistics: a catalogue table for a period and area, the published
periods, and the key figures.

Every channel (API, CSV, dashboard, report, key figures) goes through :func:`published_table`,
so all of them show the same protected numbers and answer the same tables. The functions read on
a unit of work their caller opened (:mod:`service.views`: one per request), never one of
their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.domain.catalogue import BY_KEY
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Published
from ankommen.monitoring.domain.goals import (
    KeyFigure,
    b1_share,
    capacity_use,
    median_wait,
    median_wait_weeks,
    placed_within_6_weeks,
)
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.populations import answer
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import PublishedTable, Query, RawCell


class YearCells:
    """The raw cells of a measure for a year, read once per request: whether a table is
    answered depends on the populations around it, so every table of one measure and year —
    the dashboard shows up to four, the key figures read ten tables of seven measures — needs
    the same read."""

    def __init__(self, unit: MonitoringUnitOfWork) -> None:
        self._unit = unit
        self._read: dict[tuple[str, int], list[RawCell]] = {}

    async def of(self, measure: str, year: int) -> list[RawCell]:
        cells = self._read.get((measure, year))
        if cells is None:
            cells = self._read[measure, year] = await self._unit.aggregates.cells_of(
                measure, f"{year:04d}-01", f"{year:04d}-12")
        return cells


async def published_table(cells: YearCells, query: Query, policy: DisclosurePolicy,
                          rules: PublicationRules, now: datetime) -> PublishedTable:
    """The table as published at ``now``. Whether it is answered depends on the sizes of the
    populations around it (its quarter and year, the county): one read of the measure's cells
    for the period's year, every district (shared through ``cells`` by the tables of one
    request)."""
    return answer(query, await cells.of(query.measure.name, query.period.year), policy, rules,
                  now)


def published_periods(rules: PublicationRules, now: datetime) -> list[Period]:
    """The periods published at ``now``, newest first."""
    return rules.publication.periods(now)


def published_through(rules: PublicationRules, now: datetime) -> str | None:
    """The newest published month (the figures' "as of"): a closed month, frozen."""
    newest = rules.publication.newest_month(now)
    return newest.label if newest else None


@dataclass(frozen=True)
class FactIntake:
    fact_type: str
    applied: int
    held: int
    unused: int
    last_published_at: datetime | None


async def fact_intake(unit: MonitoringUnitOfWork) -> list[FactIntake]:
    return [FactIntake(*row) for row in await unit.aggregates.intake()]


@dataclass(frozen=True)
class Goals:
    median_wait: KeyFigure
    b1_share: KeyFigure


@dataclass(frozen=True)
class KeyFigures:
    """The key figures of a period and area.

    Each count is the protected total (or row) of a catalogue table, so it equals what the
    API shows for that table; shares are ratios of published counts of one table (or the two
    capacity tables); the median wait (first placements, whole weeks) is the total's median of
    ``placements-within_6_weeks``."""

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
    median_wait: KeyFigure


async def key_figures(cells: YearCells, period: Period, district: str | None,
                      policy: DisclosurePolicy, rules: PublicationRules, now: datetime,
                      goal_b1_share_percent: int, goal_median_wait_weeks: int = 6
                      ) -> KeyFigures:
    """Key figures for a published period and area, each from a catalogue table."""

    async def table(key: str) -> PublishedTable:
        return await published_table(cells, Query(BY_KEY[key], period, district), policy,
                                     rules, now)

    by_outcome = {row.label: row.count
                  for row in (await table("course_outcomes-outcome")).rows}
    first_placements = await table("placements-within_6_weeks")
    levels = await table("exam_results-level_reached")
    return KeyFigures(
        arrivals=(await table("arrivals-german_level")).total.count,
        placements=(await table("placements-course_type")).total.count,
        waitlisted=(await table("waitlisted-reason")).total.count,
        completed=by_outcome["completed"],
        discontinued=by_outcome["discontinued"],
        b1_share=b1_share(levels, goal_b1_share_percent, policy.min_count),
        median_wait_weeks=median_wait_weeks(first_placements),
        within_6_weeks=placed_within_6_weeks(first_placements),
        unmet_demand=(await table("unmet_demand-reason")).total.count,
        capacity_use=capacity_use(await table("capacity-offered"),
                                  await table("capacity-taken")),
        transitions=(await table("transitions-to_course_type")).total.count,
        median_wait=median_wait(first_placements, goal_median_wait_weeks))


def goals_of(figures: KeyFigures) -> Goals:
    """The report's goals, from the key figures of its year (the county's)."""
    return Goals(figures.median_wait, figures.b1_share)
