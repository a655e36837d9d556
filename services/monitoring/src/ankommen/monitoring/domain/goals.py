"""Key figures of the annual report against the county's goals, from published tables only.

Every key figure is read off a catalogue table (:mod:`catalogue`) as published — answered or
not, with its secondary suppression — so it never reveals what a table hides:

- *Median wait*: the median weeks of the total of ``placements-within_6_weeks`` (first
  placements; published from ``min_distribution`` placements), against the goal.
- *Shares*: placed within 6 weeks (its "yes" row over its total), capacity use (the totals of
  ``capacity-taken`` over ``capacity-offered``), B1 or better (``exam_results-level_reached``'s
  rows B1 … C2 over its total).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ankommen.monitoring.domain.disclosure import Protection, Published
from ankommen.monitoring.domain.tables import PublishedTable

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


def median_wait_weeks(first_placements: PublishedTable) -> Published:
    """The median wait of first placements in whole weeks: the total row of
    ``placements-within_6_weeks`` (protected: n ≥ min_distribution, answered table)."""
    return first_placements.total.median_weeks or Published(
        None, Protection.TOO_FEW_FOR_DISTRIBUTION)


def median_wait(first_placements: PublishedTable, goal_weeks: int) -> KeyFigure:
    median = median_wait_weeks(first_placements)
    if median.value is None:
        return KeyFigure(None, Assessment.NO_DATA)
    return KeyFigure(str(median.value), Assessment.MET if median.value <= goal_weeks
                     else Assessment.NOT_MET)


def share(part: Published, whole: Published) -> str | None:
    """A percentage of two protected counts; None when either is protected or zero."""
    if not whole.value or part.value is None:
        return None
    return f"{min(100, round(100 * part.value / whole.value))} %"


def placed_within_6_weeks(first_placements: PublishedTable) -> str | None:
    """Share of first placements made within 6 weeks of arrival: the "yes" row over the total
    of the published table (secondary suppression included — a share must not reveal the row
    the table hides)."""
    within = next(row.count for row in first_placements.rows if row.label == "yes")
    return share(within, first_placements.total.count)


def capacity_use(offered: PublishedTable, taken: PublishedTable) -> str | None:
    """Seats taken over seats offered: the totals of the two published capacity tables."""
    return share(taken.total.count, offered.total.count)


def b1_share(dtz_by_level: PublishedTable, goal_percent: int, min_count: int = 5
             ) -> KeyFigure:
    """DTZ exams with B1 or better over all DTZ exams: the B1-or-better rows of the published
    table over its total, all as published (after secondary suppression). A share of two
    counts protected one by one would reveal their difference — the exams below B1 — even
    where the table hides it; the rows as published never do.

    Rows shown as small counts ("·": 0 … ``min_count - 1``, zeros included) bound the share:
    it is shown as "≥ x %" and decided when both bounds lie on the same side of the goal. A
    row hidden by secondary suppression (any size) leaves it undecided."""
    taken = dtz_by_level.total.count
    if not dtz_by_level.answered or not taken.value:
        return KeyFigure(None, Assessment.NO_DATA)
    reached = [row.count for row in dtz_by_level.rows if row.label in B1_OR_BETTER]
    if any(count.value is None and count.protection is not Protection.SMALL_COUNT
           for count in reached):
        return KeyFigure(None, Assessment.UNDECIDED)
    known = sum(count.value or 0 for count in reached)
    small = sum(1 for count in reached if count.value is None)
    low = min(100, round(100 * known / taken.value))
    high = min(100, round(100 * (known + small * (min_count - 1)) / taken.value))
    shown = f"{low} %" if small == 0 else f"≥ {low} %"
    if low >= goal_percent:
        return KeyFigure(shown, Assessment.MET)
    if high < goal_percent:
        return KeyFigure(shown, Assessment.NOT_MET)
    return KeyFigure(shown, Assessment.UNDECIDED)
