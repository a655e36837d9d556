"""Key figures of the annual report against the county's goals, from protected numbers only.

- *Median wait*: the median of the whole weeks begun that first placements waited after
  arrival (only from ``min_distribution`` placements that carry the weeks), against the goal.
- *Shares* (placed within 6 weeks, capacity use): the ratio of two protected counts.
- *Share reaching B1*: DTZ exams with B1 or better over all DTZ exams — the rows and the total
  of the published table (after secondary suppression), like the share within 6 weeks, so the
  share never reveals what the table hides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Published
from ankommen.monitoring.domain.measures import EXAM_RESULTS, FIRST, PLACEMENTS
from ankommen.monitoring.domain.tables import PublishedTable, Query, RawCell, tabulate

B1_OR_BETTER = {"B1", "B2", "C1", "C2"}


class Assessment(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNDECIDED = "undecided"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class KeyFigure:
    shown: str | None
    assessment: Assessment


def protected_count(cells: Iterable[RawCell], policy: DisclosurePolicy,
                    where: Callable[[RawCell], bool]) -> Published:
    tally = Tally()
    for cell in cells:
        if where(cell):
            tally.add(cell.n, cell.key_sum)
    return policy.count(tally)


def first_placements(placements: Iterable[RawCell]) -> list[RawCell]:
    """Placements after arrival (not the next course of the chain, which waits from the end
    of the earlier course)."""
    return [cell for cell in placements if cell.dimensions.get("placement", FIRST) == FIRST]


def median_wait_weeks(placements: Iterable[RawCell], policy: DisclosurePolicy) -> Published:
    """The median wait of first placements in whole weeks (protected: n ≥ min_distribution)."""
    tally = Tally()
    for cell in first_placements(placements):
        tally.add(cell.n, cell.key_sum, cell.values.items())
    return policy.percentile_weeks(tally, 50)


def median_wait(placements: list[RawCell], policy: DisclosurePolicy, goal_weeks: int
                ) -> KeyFigure:
    median = median_wait_weeks(placements, policy)
    if median.value is None:
        return KeyFigure(None, Assessment.NO_DATA)
    return KeyFigure(str(median.value), Assessment.MET if median.value <= goal_weeks
                     else Assessment.NOT_MET)


def share(part: Published, whole: Published) -> str | None:
    """A percentage of two protected counts; None when either is protected or zero."""
    if not whole.value or part.value is None:
        return None
    return f"{round(100 * part.value / whole.value)} %"


def placed_within_6_weeks(placements: list[RawCell], policy: DisclosurePolicy) -> str | None:
    """Share of first placements made within 6 weeks of arrival: the "yes" row over the total
    of the published table (secondary suppression included — a share must not reveal the row
    the table hides)."""
    table = tabulate(Query(PLACEMENTS, "0000-01", "9999-12", "within_6_weeks",
                           filters={"placement": FIRST}), placements, policy)
    within = next(row.count for row in table.rows if row.label == "yes")
    return share(within, table.total.count)


def capacity_use(capacity: list[RawCell], policy: DisclosurePolicy) -> str | None:
    """Seats taken over seats offered (both protected counts of the month-end snapshots)."""
    return share(protected_count(capacity, policy,
                                 lambda cell: cell.dimensions.get("seats") == "taken"),
                 protected_count(capacity, policy,
                                 lambda cell: cell.dimensions.get("seats") == "offered"))


def dtz_by_level_reached(exams: Iterable[RawCell], policy: DisclosurePolicy) -> PublishedTable:
    """The published table of DTZ exams by level reached (the dashboard's exam panel)."""
    return tabulate(Query(EXAM_RESULTS, "0000-01", "9999-12", "level_reached",
                          filters={"exam": "dtz"}), exams, policy)


def b1_share(exams: list[RawCell], policy: DisclosurePolicy, goal_percent: int) -> KeyFigure:
    """DTZ exams with B1 or better over all DTZ exams: the B1-or-better rows of the published
    table over its total, all as published (after secondary suppression). A share of two
    counts protected one by one would reveal their difference — the exams below B1 — even
    where the table hides it; the rows as published never do."""
    table = dtz_by_level_reached(exams, policy)
    taken = table.total.count
    if not taken.value:
        return KeyFigure(None, Assessment.NO_DATA)
    reached = [row.count.value for row in table.rows if row.label in B1_OR_BETTER]
    if None in reached:
        return KeyFigure(None, Assessment.UNDECIDED)
    share = min(100, round(100 * sum(reached) / taken.value))
    return KeyFigure(f"{share} %", Assessment.MET if share >= goal_percent
                     else Assessment.NOT_MET)
