"""Seat figures for monitoring's capacity use (*Auslastung*): per district and course type, the
seats offered by the courses that still run or take bookings this month, and the seats held by
active placements in them. Pure functions; the service publishes what changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ankommen.assignment.domain.courses import Seats, district_of
from ankommen.shared.events.contracts.assignment import CourseStatus

#: (district, course type) → (seats offered, seats taken)
SeatFigures = dict[tuple[str, str], tuple[int, int]]

#: Courses whose seats count as offered in a month they have not ended before: all but
#: cancelled ones. A completed course counts in the month it ended — the day turn marks it
#: completed the day after its last day, and the month's figures must not change for that.
OFFERING = frozenset({CourseStatus.PLANNED, CourseStatus.OPEN, CourseStatus.RUNNING,
                      CourseStatus.COMPLETED})


def seat_figures(courses: Iterable[Seats], month_start: date) -> SeatFigures:
    """Seats offered and taken this month: courses not cancelled and not ended before the
    month began."""
    figures: SeatFigures = {}
    for seats in courses:
        course = seats.course
        if course.status not in OFFERING or course.ends_on < month_start:
            continue
        key = (district_of(course.region_key), course.course_type.value)
        offered, taken = figures.get(key, (0, 0))
        figures[key] = (offered + course.capacity, taken + seats.held)
    return figures


def changed_figures(now: SeatFigures, reported: SeatFigures) -> SeatFigures:
    """What to report: every pair whose figures differ from the last report of the month —
    including pairs that no longer have courses (reported as 0 seats)."""
    return {key: now.get(key, (0, 0)) for key in sorted(now.keys() | reported.keys())
            if now.get(key, (0, 0)) != reported.get(key)}
