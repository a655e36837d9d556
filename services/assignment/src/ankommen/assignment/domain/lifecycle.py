"""A course's and an offer's life by the calendar (issue 16): what the day turn decides.

Courses start and end, and offers wait for a provider, whether or not anybody clicks anything:
the stored state follows the dates (:mod:`ankommen.assignment.service.day_turn` applies these
rules before every allocation). The rules are pure and take ``today``, the county's day.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from ankommen.assignment.domain.courses import ended
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.shared.events.contracts.assignment import Course, CourseStatus

#: Days an offer waits for the provider's confirmation when its course sets none: two weeks
#: give a provider two of its usual weekly intake appointments to reach the person, and keep a
#: seat that nobody takes up from blocking the waiting list for longer than half a month.
DEFAULT_OFFER_RESPONSE_DAYS = 14
#: How far a course that lacks its minimum on its start day moves (once): four weeks are
#: enough for a month's arrivals to fill it, and short enough for the people already placed
#: to be worth offering it again.
DEFAULT_POSTPONEMENT_WEEKS = 4

#: Statuses a course leaves by itself as days pass.
BEFORE_START = frozenset({CourseStatus.PLANNED, CourseStatus.OPEN})


def offer_expires_on(offered_on: date, response_days: int | None, default_days: int) -> date:
    """The last day the provider may confirm an offer made on ``offered_on``: the course's
    ``offer_response_days`` if its coordinator set them, else the county's default."""
    return offered_on + timedelta(days=response_days or default_days)


def expired_on(expires_on: date) -> date:
    """The day an offer not confirmed by ``expires_on`` counts as expired: the day after, the
    same whichever day the service notices it (a day turn that ran late changes nothing)."""
    return expires_on + timedelta(days=1)


def offer_expired(record: PlacementRecord, today: date) -> bool:
    """Whether ``record`` is an offer left unconfirmed past its last day. Only offers expire:
    a confirmed placement waits for its enrolment, however long."""
    return (record.status is PlacementStatus.OFFERED and record.expires_on is not None
            and today > record.expires_on)


def expiry_refusal(record: PlacementRecord, today: date) -> str | None:
    """Why ``record`` can no longer be confirmed because its time ran out (the reason names
    the day it expired), or None. An offer past its last day is refused even before the day
    turn has marked it expired: the dates decide, not when the service last looked."""
    if record.expires_on is None:
        return None
    if record.status is PlacementStatus.EXPIRED or offer_expired(record, today):
        return (f"status: the offer expired on {expired_on(record.expires_on).isoformat()} "
                f"(it was not confirmed by {record.expires_on.isoformat()})")
    return None


class StartDecision(StrEnum):
    """What a course's start day does to it (the minimum rule, docs/assignment.md)."""

    START = "start"
    POSTPONE = "postpone"
    CANCEL = "cancel"


def on_start_day(course: Course, held: int, enrolled: int, today: date) -> StartDecision:
    """The minimum rule: an approved course that reaches its start day holding fewer seats
    (offered, confirmed, enrolled: ``held``) than its ``minimum_participants`` is postponed
    once and cancelled when it lacks them again on its new start day.

    It starts anyway when nobody set a minimum (0), when it is a draft (nobody was placed in
    it by the county, its provider runs it on its own), when somebody is enrolled already
    (progress recorded the start; assignment never takes an enrolment back) and when it has
    ended already (a turn that comes that late has nothing left to postpone)."""
    if (course.minimum_participants == 0 or not course.approved or enrolled
            or held >= course.minimum_participants or ended(course, today)):
        return StartDecision.START
    return StartDecision.POSTPONE if course.postponed_from is None else StartDecision.CANCEL


def postponed(course: Course, weeks: int) -> Course:
    """``course`` moved by ``weeks``: start, end and a set late-entry deadline alike, planned
    again, with its original start kept in ``postponed_from``."""
    return postponed_to(course, course.starts_on + timedelta(weeks=weeks))


def postponed_to(course: Course, starts_on: date) -> Course:
    """``course`` moved to start on ``starts_on``: its end and a set late-entry deadline move
    by the same number of days, it is planned again, and ``postponed_from`` keeps its first
    original start (a course postponed twice still counts as postponed once: the minimum rule
    cancels it when it lacks its minimum on the new start day). Used by the minimum rule and
    by a coordinator's postponement alike."""
    shift = starts_on - course.starts_on
    return course.model_copy(update={
        "starts_on": starts_on, "ends_on": course.ends_on + shift,
        "entry_until": course.entry_until + shift if course.entry_until else None,
        "postponed_from": course.postponed_from or course.starts_on,
        "status": CourseStatus.PLANNED})


def status_by_date(course: Course, today: date) -> CourseStatus:
    """The status a course has on ``today`` by its dates: running from its start day,
    completed after its last day. Only forwards: a cancellation or completion stays, and a
    running course whose provider moved its start later stays running."""
    if course.status in (CourseStatus.CANCELLED, CourseStatus.COMPLETED):
        return course.status
    if ended(course, today):
        return CourseStatus.COMPLETED
    if today >= course.starts_on:
        return CourseStatus.RUNNING
    return course.status
