"""A course takes new participants by its dates, whatever its stored status (issue 16: people
were offered seats in courses that had ended): until its late-entry deadline — the
coordinator's ``entry_until`` or the start plus a quarter of the duration — and never on or
after its last day. Pure rules; the boundary days are the point."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from ankommen.assignment.domain.courses import (
    Seats,
    ended,
    entry_deadline,
    open_for_entry,
    shown_status,
)
from ankommen.shared.events.contracts.assignment import Course, CourseApproval, CourseStatus
from tests.assignment.builders import course

COUNTY = frozenset({"03358"})
DAY = timedelta(days=1)
#: 1 March – 31 August: 183 days, a quarter is 45 days: entry until 15 April.
STARTS, ENDS = date(2027, 3, 1), date(2027, 8, 31)


def dated(**update: object) -> Course:
    return course(approval=CourseApproval.APPROVED).model_copy(
        update={"starts_on": STARTS, "ends_on": ENDS, **update})


def test_the_default_deadline_is_the_start_plus_a_quarter_of_the_duration() -> None:
    assert entry_deadline(dated()) == date(2027, 4, 15)
    assert entry_deadline(dated(ends_on=STARTS + timedelta(days=7))) == STARTS + DAY
    assert entry_deadline(dated(ends_on=STARTS)) == STARTS


def test_a_coordinators_deadline_replaces_the_default() -> None:
    assert entry_deadline(dated(entry_until=date(2027, 6, 30))) == date(2027, 6, 30)


def test_without_an_end_date_a_course_takes_newcomers_for_four_weeks() -> None:
    # The contract requires an end; the rule still has an answer for data that lacks one.
    assert entry_deadline(dated(ends_on=None)) == STARTS + timedelta(weeks=4)


@pytest.mark.parametrize(("today", "open_"), [
    (STARTS - timedelta(days=60), True),
    (STARTS, True),
    (date(2027, 4, 15), True),  # the deadline day itself
    (date(2027, 4, 16), False),  # the day after
    (ENDS - DAY, False),
    (ENDS, False),
    (ENDS + DAY, False),
])
def test_entry_is_open_until_the_deadline_day_inclusive(today: date, open_: bool) -> None:
    assert open_for_entry(dated(), today) is open_
    assert Seats(dated(), 20, 5).offered(COUNTY, today) is open_


@pytest.mark.parametrize(("today", "open_"), [
    (ENDS - DAY, True), (ENDS, False), (ENDS + DAY, False)])
def test_no_entry_on_or_after_the_last_day_even_with_a_deadline_there(today: date,
                                                                      open_: bool) -> None:
    assert open_for_entry(dated(entry_until=ENDS), today) is open_


@pytest.mark.parametrize("status", [CourseStatus.PLANNED, CourseStatus.OPEN])
def test_a_course_that_ended_is_offered_nowhere_whatever_its_status(status: CourseStatus
                                                                     ) -> None:
    # The attack of issue 16: a course left "open" after its end kept receiving offers.
    past = dated(status=status)
    assert Seats(past, 20, 5).offered(COUNTY, STARTS)
    assert not Seats(past, 20, 5).offered(COUNTY, ENDS + DAY)


def test_a_course_past_its_last_day_shows_as_ended() -> None:
    assert not ended(dated(), ENDS) and ended(dated(), ENDS + DAY)
    assert shown_status(dated(status=CourseStatus.OPEN), ENDS + DAY) == "ended"
    assert shown_status(dated(status=CourseStatus.OPEN), ENDS) == "running"
    assert shown_status(dated(status=CourseStatus.OPEN), STARTS - DAY) == "open"
    assert shown_status(dated(status=CourseStatus.CANCELLED), ENDS + DAY) == "cancelled"


@pytest.mark.parametrize("entry_until", [STARTS - DAY, ENDS + DAY])
def test_a_deadline_outside_the_course_period_is_refused(entry_until: date) -> None:
    with pytest.raises(ValidationError, match="entry_until: outside the course period"):
        Course.model_validate({**dated().model_dump(), "entry_until": entry_until})
    assert Course.model_validate({**dated().model_dump(), "entry_until": ENDS}).entry_until \
        == ENDS
