"""What assignment reports to monitoring, as pure rules: waiting time in whole weeks begun, and
seat figures that are reported only when they change."""

from __future__ import annotations

from datetime import timedelta

from ankommen.assignment.domain.capacity import changed_figures, seat_figures
from ankommen.shared.events.contracts.assignment import WaitingWeeksBand, weeks_begun
from tests.assignment.builders import TODAY, seats


def test_waiting_weeks_are_weeks_begun_capped_at_a_year():
    assert [weeks_begun(days) for days in (0, 1, 7, 8, 42, 43, 364, 365, 2000)] == [
        0, 1, 1, 2, 6, 7, 52, 52, 52]
    assert [WaitingWeeksBand.of(weeks) for weeks in (0, 6, 7, 26, 27)] == [
        "0-6", "0-6", "7-13", "14-26", "27+"]


def test_seats_offered_and_taken_per_district_and_course_type():
    month_start = TODAY.replace(day=1)
    figures = seat_figures([
        seats(free=3, capacity=10),
        seats(free=10, capacity=10, course_id="c2"),
        seats(free=0, capacity=8, course_id="c3", course_type="literacy"),
        seats(free=5, capacity=5, course_id="c4", status="cancelled"),
        seats(free=5, capacity=5, course_id="c5", starts_on=month_start - timedelta(days=90),
              ends_on=month_start - timedelta(days=1))], month_start)
    assert figures == {("03358", "general_integration"): (20, 7),
                       ("03358", "literacy"): (8, 8)}


def test_only_changed_figures_are_reported_and_a_vanished_pair_as_zero():
    reported = {("03358", "general_integration"): (20, 7), ("03358", "literacy"): (8, 8)}
    now = {("03358", "general_integration"): (20, 8), ("03359", "youth"): (12, 0)}
    assert changed_figures(now, reported) == {
        ("03358", "general_integration"): (20, 8), ("03358", "literacy"): (0, 0),
        ("03359", "youth"): (12, 0)}
    assert changed_figures(reported, reported) == {}
