"""Key figures of the annual report against the county's goals, from protected numbers only.

- *Median wait*: placements carry a waiting-time band (exact days would help re-identify), so
  the report names the band that holds the median (only from ``min_distribution`` placements)
  and judges the goal where the band decides it.
- *Share reaching B1*: DTZ exams with B1 or better over all DTZ exams, both counts protected
  first (a share of two protected counts discloses nothing the counts do not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Published
from ankommen.monitoring.domain.tables import RawCell
from ankommen.shared.events.contracts.assignment import WaitingDaysBand

#: The days each waiting band spans (the last is open-ended).
BAND_DAYS: dict[str, tuple[int, int | None]] = {
    WaitingDaysBand.UP_TO_30: (0, 30), WaitingDaysBand.UP_TO_90: (31, 90),
    WaitingDaysBand.UP_TO_180: (91, 180), WaitingDaysBand.LONGER: (181, None)}
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


def median_wait(placements: list[RawCell], policy: DisclosurePolicy, goal_weeks: int
                ) -> KeyFigure:
    by_band = {band: sum(cell.n for cell in placements
                         if cell.dimensions.get("waiting_days") == band) for band in BAND_DAYS}
    total = sum(by_band.values())
    if total < policy.min_distribution:
        return KeyFigure(None, Assessment.NO_DATA)
    seen = 0
    for band, count in by_band.items():
        seen += count
        if 2 * seen >= total:
            low, high = BAND_DAYS[band]
            goal_days = goal_weeks * 7
            if high is not None and high <= goal_days:
                return KeyFigure(band, Assessment.MET)
            if low > goal_days:
                return KeyFigure(band, Assessment.NOT_MET)
            return KeyFigure(band, Assessment.UNDECIDED)
    raise AssertionError("the median lies in some band")


def b1_share(exams: list[RawCell], policy: DisclosurePolicy, goal_percent: int) -> KeyFigure:
    dtz = [cell for cell in exams if cell.dimensions.get("exam") == "dtz"]
    taken = protected_count(dtz, policy, lambda cell: True)
    reached = protected_count(dtz, policy,
                              lambda cell: cell.dimensions.get("level_reached") in B1_OR_BETTER)
    if not taken.value:
        return KeyFigure(None, Assessment.NO_DATA)
    if reached.value is None:
        return KeyFigure(None, Assessment.UNDECIDED)
    share = min(100, round(100 * reached.value / taken.value))
    return KeyFigure(f"{share} %", Assessment.MET if share >= goal_percent
                     else Assessment.NOT_MET)
