"""The demo's county year (``make demo``, tools/synthetic): the days it stops at, a catalogue
whose courses end, run and start around today, and each participant's reports, which the demo
sends only once their day has come — so that no service sees a report about a day still ahead
or a course that had not started."""

from __future__ import annotations

import random
from datetime import date

from ankommen.tools.demo import step_days
from ankommen.tools.synthetic import county_year, course_life

FIRST, TODAY = date(2026, 1, 1), date(2026, 12, 5)


def test_the_demo_stops_on_the_first_and_fifteenth_and_ends_today():
    days = step_days(FIRST, TODAY, per_month=2)
    assert days[:4] == [date(2026, 1, 1), date(2026, 1, 15), date(2026, 2, 1),
                        date(2026, 2, 15)]
    assert days[-2:] == [date(2026, 12, 1), TODAY]
    assert step_days(date(2026, 6, 20), date(2026, 8, 1), per_month=1) == [
        date(2026, 6, 20), date(2026, 7, 1), date(2026, 8, 1)]


def test_the_year_has_ended_running_and_upcoming_courses_all_published_before_they_start():
    region = county_year(300, 60, FIRST, TODAY, seed=3)
    starts = [date.fromisoformat(course["starts_on"]) for course in region.courses]
    ends = [date.fromisoformat(course["ends_on"]) for course in region.courses]
    assert all(start > FIRST for start in starts)
    assert any(end < TODAY for end in ends)
    assert any(start <= TODAY <= end for start, end in zip(starts, ends, strict=True))
    assert any(start > TODAY for start in starts)
    assert all(FIRST <= arrival.registered_on <= TODAY for arrival in region.arrivals)
    assert sum(arrival.registered_on == FIRST for arrival in region.arrivals) >= 60


def test_a_participants_reports_lie_in_the_course_after_the_confirmation_each_on_its_day():
    region = county_year(50, 60, FIRST, TODAY, seed=3)
    kinds: set[str] = set()
    for number, course in enumerate(region.courses):
        starts_on, ends_on = (date.fromisoformat(course[key]) for key in ("starts_on",
                                                                          "ends_on"))
        for confirmed_on in (starts_on, max(starts_on, ends_on.replace(day=1))):
            life = course_life(random.Random(number), f"R{number}", course, confirmed_on)
            assert life[0][1]["kind"] == "enrolment"
            assert [day for day, _ in life] == sorted(day for day, _ in life)
            for due, report in life:
                kinds.add(report["kind"])
                dates = [date.fromisoformat(value) for key, value in report.items()
                         if key.endswith("_on") or key.startswith("period_")]
                assert all(confirmed_on <= day <= due and starts_on <= day <= ends_on
                           for day in dates), report
    assert kinds == {"enrolment", "attendance", "interruption", "resumption", "exam_result",
                     "completion", "discontinuation"}
