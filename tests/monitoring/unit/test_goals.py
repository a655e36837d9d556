"""The annual report's key figures against goals, from protected numbers only."""

from __future__ import annotations

import secrets

from ankommen.monitoring.domain.catalogue import BY_KEY
from ankommen.monitoring.domain.cells import record_key_value
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection
from ankommen.monitoring.domain.goals import (
    Assessment,
    KeyFigure,
    b1_share,
    capacity_use,
    median_wait,
    placed_within_6_weeks,
)
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.tables import PublishedTable, Query, RawCell, tabulate

POLICY = DisclosurePolicy()


def published(key: str, cells: list[RawCell]) -> PublishedTable:
    return tabulate(Query(BY_KEY[key], Period.parse("2026-05")), cells, POLICY)


def cells(dimension: str, counts: dict[str, int], **fixed: str) -> list[RawCell]:
    return [RawCell("2026-05", "03358", {dimension: value, **fixed}, n,
                    sum(record_key_value(secrets.token_hex(16)) for _ in range(n)))
            for value, n in counts.items()]


def placements(weeks: dict[int, int], placement: str = "first") -> PublishedTable:
    """First placements by within 6 weeks, from one cell per waiting time (weeks begun)."""
    return published("placements-within_6_weeks", [
        RawCell("2026-05", "03358", {"placement": placement, "course_type": "literacy",
                                     "waiting_days": "0-30",
                                     "within_6_weeks": "yes" if w <= 6 else "no"}, n,
                sum(record_key_value(secrets.token_hex(16)) for _ in range(n)), {w: n})
        for w, n in weeks.items()])


def dtz(counts: dict[str, int], exam: str = "dtz") -> PublishedTable:
    return published("exam_results-level_reached", cells("level_reached", counts, exam=exam))


def capacity(offered: int, taken: int) -> tuple[PublishedTable, PublishedTable]:
    seats = cells("seats", {"offered": offered, "taken": taken}, course_type="literacy")
    return published("capacity-offered", seats), published("capacity-taken", seats)


def test_median_wait_of_first_placements_is_decided_in_whole_weeks():
    met = median_wait(placements({3: 5, 6: 2, 9: 5}), 6)
    assert (met.shown, met.assessment) == ("6", Assessment.MET)
    not_met = median_wait(placements({3: 5, 7: 6}), 6)
    assert (not_met.shown, not_met.assessment) == ("7", Assessment.NOT_MET)
    # The next course of the chain waits from the end of the earlier course: not counted.
    assert median_wait(placements({20: 30}, placement="next_course"), 6).assessment is \
        Assessment.NO_DATA


def test_median_wait_needs_ten_placements():
    figure = median_wait(placements({2: 9}), 6)
    assert (figure.shown, figure.assessment) == (None, Assessment.NO_DATA)


def test_shares_within_six_weeks_and_capacity_use_come_from_protected_counts():
    share = int((placed_within_6_weeks(placements({2: 30, 10: 10})) or "").removesuffix(" %"))
    assert round(100 * 28 / 42) <= share <= round(100 * 32 / 38)
    assert placed_within_6_weeks(placements({2: 3, 10: 30})) is None  # 3 is protected
    # 4 later ones are a small count, the "unknown" row a zero shown like one: two cells
    # share the difference, nothing else needs hiding.
    assert placed_within_6_weeks(placements({2: 30, 10: 4})) is not None
    use = int((capacity_use(*capacity(40, 30)) or "").removesuffix(" %"))
    assert round(100 * 28 / 42) <= use <= round(100 * 32 / 38)
    assert capacity_use(published("capacity-offered", []),
                        published("capacity-taken", [])) is None


def test_b1_share_comes_from_protected_counts_of_dtz_exams():
    figure = b1_share(dtz({"B1": 30, "B2": 6, "C1": 5, "C2": 5, "A2": 10}), 60)
    share = int((figure.shown or "").removesuffix(" %"))
    # 46 of 56, each count moved by at most 2.
    assert round(100 * 38 / 58) <= share <= round(100 * 54 / 54)
    assert figure.assessment is Assessment.MET


def test_b1_share_with_small_rows_is_a_lower_bound():
    # C1 and C2 are zeros, published like small counts: the share is at least B1 + B2 over
    # the total, and decided when the bounds lie on one side of the goal.
    figure = b1_share(dtz({"B1": 30, "B2": 6, "A2": 10}), 60)
    assert (figure.shown or "").startswith("≥ ")
    assert figure.assessment is Assessment.MET
    assert b1_share(dtz({"B1": 6, "A2": 40}), 60).assessment is Assessment.NOT_MET
    assert b1_share(dtz({"B1": 3, "A2": 20}), 60).assessment is Assessment.UNDECIDED
    assert b1_share(dtz({"A2": 50}, exam="other"), 60).assessment is Assessment.NO_DATA


def test_b1_share_is_formed_from_the_published_dtz_table_after_secondary_suppression():
    # A2 is the only small count: the table hides its smallest sibling, B2, too (secondary
    # suppression). The share would need B2 as published: it is not decided.
    hidden = dtz({"A0": 30, "A1": 30, "A2": 2, "none": 30, "B1": 18, "B2": 6, "C1": 7,
                  "C2": 8})
    assert {row.label: row.count.protection for row in hidden.rows}["B2"] is \
        Protection.SECONDARY
    assert b1_share(hidden, 60) == KeyFigure(None, Assessment.UNDECIDED)
