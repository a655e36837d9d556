"""Courses and offers by the calendar (issue 16), as pure rules: a course runs from its start
day and is completed after its last day; one short of its minimum on its start day is
postponed once, then cancelled; an offer has a last day and expires the day after it, while a
confirmed placement never expires. The boundary days are the point."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from ankommen.assignment.domain.capacity import seat_figures
from ankommen.assignment.domain.courses import Seats
from ankommen.assignment.domain.lifecycle import (
    StartDecision,
    expiry_refusal,
    offer_expired,
    offer_expires_on,
    on_start_day,
    postponed,
    postponed_to,
    status_by_date,
)
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.shared.events.contracts.assignment import Course, CourseApproval, CourseStatus
from tests.assignment.builders import course

DAY = timedelta(days=1)
STARTS, ENDS = date(2027, 3, 1), date(2027, 8, 31)


def dated(**update: object) -> Course:
    return course(approval=CourseApproval.APPROVED, minimum_participants=6).model_copy(
        update={"starts_on": STARTS, "ends_on": ENDS, **update})


@pytest.mark.parametrize(("status", "today", "expected"), [
    (CourseStatus.OPEN, STARTS - DAY, CourseStatus.OPEN),
    (CourseStatus.PLANNED, STARTS - DAY, CourseStatus.PLANNED),
    (CourseStatus.OPEN, STARTS, CourseStatus.RUNNING),
    (CourseStatus.PLANNED, ENDS, CourseStatus.RUNNING),
    (CourseStatus.OPEN, ENDS + DAY, CourseStatus.COMPLETED),
    (CourseStatus.RUNNING, ENDS, CourseStatus.RUNNING),
    (CourseStatus.RUNNING, ENDS + DAY, CourseStatus.COMPLETED),
    # Only forwards: a cancellation stays, and so does a completion or a running course
    # whose provider moved its start later.
    (CourseStatus.CANCELLED, STARTS, CourseStatus.CANCELLED),
    (CourseStatus.CANCELLED, ENDS + DAY, CourseStatus.CANCELLED),
    (CourseStatus.COMPLETED, STARTS, CourseStatus.COMPLETED),
    (CourseStatus.RUNNING, STARTS - DAY, CourseStatus.RUNNING),
])
def test_a_course_runs_from_its_start_day_and_is_completed_after_its_last_day(
        status: CourseStatus, today: date, expected: CourseStatus) -> None:
    assert status_by_date(dated(status=status), today) is expected


def test_a_course_short_of_its_minimum_on_its_start_day_is_postponed_once_then_cancelled():
    assert on_start_day(dated(), held=5, enrolled=0, today=STARTS) is StartDecision.POSTPONE
    again = dated(postponed_from=STARTS - timedelta(weeks=4))
    assert on_start_day(again, held=5, enrolled=0, today=STARTS) is StartDecision.CANCEL
    assert on_start_day(dated(), held=6, enrolled=0, today=STARTS) is StartDecision.START
    assert on_start_day(again, held=6, enrolled=0, today=STARTS) is StartDecision.START


@pytest.mark.parametrize("exempt", [
    dated(minimum_participants=0),  # minimum 0 never triggers
    dated(approval=CourseApproval.DRAFT),  # nobody was placed there by the county
    # Ended before the turn came (nothing left to postpone).
    dated().model_copy(update={"starts_on": STARTS - timedelta(days=3), "ends_on": STARTS - DAY}),
])
def test_the_minimum_rule_spares_courses_without_minimum_drafts_and_ended_ones(
        exempt: Course) -> None:
    assert on_start_day(exempt, held=0, enrolled=0, today=STARTS) is StartDecision.START


def test_a_course_with_an_enrolment_starts_even_below_its_minimum():
    """Progress recorded its start: assignment never takes an enrolment back."""
    assert on_start_day(dated(), held=1, enrolled=1, today=STARTS) is StartDecision.START


def test_a_postponed_course_moves_its_dates_and_deadline_and_keeps_its_original_start():
    later = postponed(dated(entry_until=STARTS + timedelta(days=10), status=CourseStatus.OPEN),
                      weeks=4)
    assert (later.starts_on, later.ends_on, later.entry_until) == (
        date(2027, 3, 29), date(2027, 9, 28), date(2027, 4, 8))
    assert later.postponed_from == STARTS and later.status is CourseStatus.PLANNED
    assert postponed(dated(), weeks=4).entry_until is None  # the default follows the dates


def test_a_coordinator_postpones_to_a_chosen_day_and_the_first_original_start_is_kept():
    """A coordinator's postponement (issue 19) is the rule's, at a chosen date: a course
    moved twice still counts as postponed once, from its first start."""
    moved = postponed_to(dated(entry_until=STARTS + timedelta(days=10)), STARTS + DAY * 10)
    assert (moved.starts_on - STARTS, moved.ends_on - dated().ends_on,
            moved.entry_until - STARTS) == (DAY * 10, DAY * 10, DAY * 20)
    again = postponed_to(moved, moved.starts_on + DAY)
    assert again.postponed_from == STARTS == moved.postponed_from
    assert again.status is CourseStatus.PLANNED


def offer(status: PlacementStatus = PlacementStatus.OFFERED,
          expires_on: date | None = date(2027, 2, 14)) -> PlacementRecord:
    return PlacementRecord("p-1", "x" * 20, "c-1", "vhs-heidekreis", "ABCD-EFGH-J", status,
                           date(2027, 1, 31), date(2027, 1, 1), False, {}, expires_on)


def test_an_offer_waits_the_courses_response_days_or_the_countys_default():
    offered_on = date(2027, 1, 31)
    assert offer_expires_on(offered_on, dated().offer_response_days, 14) == date(2027, 2, 14)
    assert offer_expires_on(offered_on, dated(offer_response_days=3).offer_response_days,
                            14) == date(2027, 2, 3)


def test_an_offer_expires_the_day_after_its_last_day_and_a_confirmed_one_never():
    assert not offer_expired(offer(), date(2027, 2, 14))
    assert offer_expired(offer(), date(2027, 2, 15))
    assert not offer_expired(offer(PlacementStatus.CONFIRMED), date(2030, 1, 1))
    assert not offer_expired(offer(expires_on=None), date(2030, 1, 1))


def test_confirming_after_the_last_day_is_refused_naming_the_day_it_expired():
    reason = "status: the offer expired on 2027-02-15 (it was not confirmed by 2027-02-14)"
    # Refused by the date even before the day turn marked it expired …
    assert expiry_refusal(offer(), date(2027, 2, 15)) == reason
    assert expiry_refusal(offer(PlacementStatus.EXPIRED), date(2027, 2, 15)) == reason
    # … and not on its last day, nor for a confirmed one.
    assert expiry_refusal(offer(), date(2027, 2, 14)) is None
    assert expiry_refusal(offer(PlacementStatus.CONFIRMED), date(2027, 3, 1)) is None


def test_a_course_completed_by_the_day_turn_still_counts_in_the_month_it_ended():
    """The day turn marks a course completed the day after its last day; the month's seat
    figures must not change for that (monitoring keeps the month's last snapshot)."""
    month = date(2027, 8, 1)
    running = Seats(dated(status=CourseStatus.RUNNING), free_seats=5, free_childcare=0)
    completed = replace(running, course=running.course.model_copy(
        update={"status": CourseStatus.COMPLETED}))
    assert seat_figures([completed], month) == seat_figures([running], month) != {}
    assert seat_figures([completed], date(2027, 9, 1)) == {}


def test_a_running_course_open_for_entry_is_still_offered():
    """Running is set on the start day; the late-entry deadline, not the status, ends entry."""
    running = Seats(dated(status=CourseStatus.RUNNING), free_seats=5, free_childcare=0)
    assert running.offered({"03358"}, STARTS + DAY)
    assert not running.offered({"03358"}, date(2027, 4, 16))


@pytest.mark.parametrize("days", [0, 61])
def test_a_courses_response_days_outside_one_to_sixty_are_refused(days: int) -> None:
    """What ``POST``/``PUT /courses`` answer with 422 naming ``offer_response_days``."""
    with pytest.raises(ValidationError, match="offer_response_days"):
        Course.model_validate({**dated().model_dump(), "offer_response_days": days})
