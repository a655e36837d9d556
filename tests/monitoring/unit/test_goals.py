"""The annual report's key figures against goals, from protected numbers only."""

from __future__ import annotations

import secrets

from ankommen.monitoring.domain.cells import record_key_value
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection
from ankommen.monitoring.domain.goals import (
    Assessment,
    KeyFigure,
    b1_share,
    capacity_use,
    dtz_by_level_reached,
    median_wait,
    placed_within_6_weeks,
)
from ankommen.monitoring.domain.tables import RawCell

POLICY = DisclosurePolicy()


def cells(dimension: str, counts: dict[str, int], **fixed: str) -> list[RawCell]:
    return [RawCell("2026-05", "03358", {dimension: value, **fixed}, n,
                    sum(record_key_value(secrets.token_hex(16)) for _ in range(n)))
            for value, n in counts.items()]


def placements(weeks: dict[int, int], placement: str = "first") -> list[RawCell]:
    """One cell per waiting time (weeks begun) with ``n`` placements, as monitoring stores."""
    return [RawCell("2026-05", "03358", {"placement": placement, "course_type": "literacy",
                                         "waiting_days": "0-30",
                                         "within_6_weeks": "yes" if w <= 6 else "no"}, n,
                    sum(record_key_value(secrets.token_hex(16)) for _ in range(n)), {w: n})
            for w, n in weeks.items()]


def test_median_wait_of_first_placements_is_decided_in_whole_weeks():
    met = median_wait(placements({3: 5, 6: 2, 9: 5}), POLICY, 6)
    assert (met.shown, met.assessment) == ("6", Assessment.MET)
    not_met = median_wait(placements({3: 5, 7: 6}), POLICY, 6)
    assert (not_met.shown, not_met.assessment) == ("7", Assessment.NOT_MET)
    # The next course of the chain waits from the end of the earlier course: not counted.
    mixed = placements({2: 4}) + placements({20: 30}, placement="next_course")
    assert median_wait(mixed, POLICY, 6).assessment is Assessment.NO_DATA


def test_median_wait_needs_ten_placements():
    figure = median_wait(placements({2: 9}), POLICY, 6)
    assert (figure.shown, figure.assessment) == (None, Assessment.NO_DATA)


def test_shares_within_six_weeks_and_capacity_use_come_from_protected_counts():
    share = int(placed_within_6_weeks(placements({2: 30, 10: 10}), POLICY).removesuffix(" %"))
    assert round(100 * 28 / 42) <= share <= round(100 * 32 / 38)
    assert placed_within_6_weeks(placements({2: 3, 10: 30}), POLICY) is None  # 3 is protected
    # 4 later ones are a small count: the table hides the "yes" row too, and so does the share.
    assert placed_within_6_weeks(placements({2: 30, 10: 4}), POLICY) is None
    use = int(capacity_use(cells("seats", {"offered": 40, "taken": 30}), POLICY)
              .removesuffix(" %"))
    assert round(100 * 28 / 42) <= use <= round(100 * 32 / 38)
    assert capacity_use([], POLICY) is None


def test_b1_share_comes_from_protected_counts_of_dtz_exams():
    exams = cells("level_reached", {"B1": 30, "A2": 10}, exam="dtz") + cells(
        "level_reached", {"A2": 50}, exam="other")
    figure = b1_share(exams, POLICY, 60)
    share = int(figure.shown.removesuffix(" %"))
    # 30 of 40, each count moved by at most 2: between 28/42 and 32/38.
    assert round(100 * 28 / 42) <= share <= round(100 * 32 / 38)
    assert figure.assessment is Assessment.MET


def test_b1_share_with_a_protected_numerator_is_not_decided():
    exams = cells("level_reached", {"B1": 3, "A2": 20}, exam="dtz")
    figure = b1_share(exams, POLICY, 60)
    assert (figure.shown, figure.assessment) == (None, Assessment.UNDECIDED)
    assert b1_share([], POLICY, 60).assessment is Assessment.NO_DATA


def test_b1_share_is_formed_from_the_published_dtz_table_after_secondary_suppression():
    # 18 of 20 reached B1: the 2 below are a small count, so the table hides the B1 row too
    # (secondary suppression). A share of the B1 count over all exams, each protected on its
    # own, would tell the 2 apart again; the share is therefore not shown.
    hidden = cells("level_reached", {"B1": 18, "A2": 2}, exam="dtz")
    table = dtz_by_level_reached(hidden, POLICY)
    assert {row.label: row.count.protection for row in table.rows}["B1"] is \
        Protection.SECONDARY
    assert b1_share(hidden, POLICY, 60) == KeyFigure(None, Assessment.UNDECIDED)

    # Shown, the share is exactly the published B1-or-better rows over the published total.
    exams = cells("level_reached", {"B1": 30, "B2": 6, "A2": 10}, exam="dtz")
    table = dtz_by_level_reached(exams, POLICY)
    rows = {row.label: row.count.value for row in table.rows}
    expected = min(100, round(100 * (rows["B1"] + rows["B2"]) / table.total.count.value))
    assert b1_share(exams, POLICY, 60).shown == f"{expected} %"
