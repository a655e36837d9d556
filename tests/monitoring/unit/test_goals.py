"""The annual report's key figures against goals, from protected numbers only."""

from __future__ import annotations

import secrets

from ankommen.monitoring.domain.cells import record_key_value
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.goals import Assessment, b1_share, median_wait
from ankommen.monitoring.domain.tables import RawCell

POLICY = DisclosurePolicy()


def cells(dimension: str, counts: dict[str, int], **fixed: str) -> list[RawCell]:
    return [RawCell("2026-05", "03358", {dimension: value, **fixed}, n,
                    sum(record_key_value(secrets.token_hex(16)) for _ in range(n)))
            for value, n in counts.items()]


def test_median_wait_is_judged_where_its_band_decides_the_goal():
    assert median_wait(cells("waiting_days", {"0-30": 8, "31-90": 4}), POLICY, 6) \
        .assessment is Assessment.MET
    assert median_wait(cells("waiting_days", {"0-30": 2, "91-180": 9}), POLICY, 6) \
        .assessment is Assessment.NOT_MET
    undecided = median_wait(cells("waiting_days", {"0-30": 3, "31-90": 9}), POLICY, 6)
    assert (undecided.shown, undecided.assessment) == ("31-90", Assessment.UNDECIDED)


def test_median_wait_needs_ten_placements():
    figure = median_wait(cells("waiting_days", {"0-30": 9}), POLICY, 6)
    assert (figure.shown, figure.assessment) == (None, Assessment.NO_DATA)


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
