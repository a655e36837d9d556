"""A coordinator places a waiting person by hand (*von Hand vermitteln*), with a reason.

The matcher's structural rules (course type, level, schedule, reach, next step, a course once
declined) are advice here: a coordinator who knows the person may override them, and the
placement's explanation says which were overridden and why. What no reason overrides: a seat
must be free (and a childcare place, where the person needs one), and the course must be the
county's offer and open for entry — approved, not cancelled, in the county's districts, not
past its late-entry deadline or ended.

The placement is made like an allocation's: an offer with its last day, a referral code, the
``PlacementOffered`` event and the monitoring facts, the person off the waiting list. The
decision is audited in its own append-only table (who, role, when, course, reason, rules
overridden); the audit names the placement, not the person.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from ankommen.assignment.adapters.coordination import ManualPlacementEntry
from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import (
    RuleOutcome,
    needs_childcare_place,
    seat_outcomes,
    structural_outcomes,
)
from ankommen.assignment.domain.lifecycle import offer_expires_on
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.referral import new_referral_code
from ankommen.assignment.domain.scoring import travel_cost, wait_days
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.course_actions import check_coordinator
from ankommen.assignment.service.facts import (
    previous_course_types,
    publish_capacity_changes,
    publish_placement_facts,
)
from ankommen.shared.errors import Conflict, NotFound
from ankommen.shared.events.contracts.assignment import PlacementOffered
from ankommen.shared.events.contracts.vocabulary import OpaqueId
from ankommen.shared.identity.auth import Principal
from ankommen.shared.text import SHOWN_TEXT

#: The reason's length: enough for a sentence or two, as the approval trail's note.
REASON_MAX = 500


class ManualPlacementRequest(BaseModel):
    """Whom to place where, and why (the reason is mandatory and shown to coordinators)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pseudonym: Annotated[str, StringConstraints(min_length=1, max_length=64,
                                                pattern=r"^[A-Za-z0-9_-]+$")]
    course_id: OpaqueId
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=REASON_MAX), SHOWN_TEXT]


#: Rules a coordinator's reason may override; the others (a free seat, an open course) hold.
OVERRIDABLE = frozenset({"course_type", "next_step", "not_declined", "entry_level", "schedule",
                         "reachable", "childcare"})


async def _applicant(uow: AssignmentUnitOfWork, pseudonym: str) -> Applicant:
    person = await uow.waiting_people.get(pseudonym)
    survey = await uow.cases.survey(pseudonym)
    if person is None or survey is None:
        raise NotFound("pseudonym: nobody with this pseudonym is waiting", field="pseudonym")
    known = await uow.cases.of_waiting([pseudonym])
    declined = await uow.placements.declined_courses([pseudonym])
    return Applicant(pseudonym, survey, person.waiting_since, person.wanted_course_type,
                     known[pseudonym][1] or None, frozenset(declined.get(pseudonym, ())))


async def _seats(uow: AssignmentUnitOfWork, course_id: str) -> Seats:
    for seats in await uow.courses.seats(bookable_only=False):
        if seats.course.course_id == course_id:
            return seats
    raise NotFound("course_id: no such course", field="course_id")


class Refusal(StrEnum):
    """Why nobody may be placed in a course, whatever the reason given."""

    NOT_BOOKABLE = "not_bookable"
    NOT_APPROVED = "not_approved"
    NOT_OPEN = "not_open"
    FULL = "full"
    CHILDCARE_FULL = "childcare_full"


class PlacementRefused(Conflict):
    """A manual placement no reason overrides (409 naming ``course_id``); ``refusal`` says
    which, for the page's words."""

    def __init__(self, refusal: Refusal, detail: str) -> None:
        super().__init__(f"course_id: {detail}", field="course_id")
        self.refusal = refusal


#: The seat rules that refuse a placement, and how.
SEAT_REFUSALS = {"capacity": Refusal.FULL, "childcare_capacity": Refusal.CHILDCARE_FULL}


def refusal(seats: Seats, policy: AllocationPolicy, today: date) -> PlacementRefused | None:
    """Why nobody may be placed in this course whatever the reason, or None."""
    course = seats.course
    if not seats.bookable:
        return PlacementRefused(Refusal.NOT_BOOKABLE, f"the course is {course.status}")
    if not course.approved:
        return PlacementRefused(Refusal.NOT_APPROVED, "the course is not approved")
    if not seats.offered(policy.districts, today):
        return PlacementRefused(Refusal.NOT_OPEN, "the course takes no new participants "
                                "(outside the county, ended or past its deadline)")
    return None


def outcomes(applicant: Applicant, seats: Seats) -> list[RuleOutcome]:
    """Every rule for this person and course, as the matcher would judge them."""
    return structural_outcomes(applicant, seats) + seat_outcomes(applicant, seats)


async def place_by_hand(uow: AssignmentUnitOfWork, principal: Principal,
                        request: ManualPlacementRequest, *, policy: AllocationPolicy
                        ) -> PlacementRecord:
    check_coordinator(principal, "places people by hand")
    # Serialised with allocations: two cannot both take the course's last seat.
    await uow.waiting_people.lock_for_allocation()
    today = uow.clock.today()
    applicant = await _applicant(uow, request.pseudonym)
    seats = await _seats(uow, request.course_id)
    refused = refusal(seats, policy, today)
    if refused is not None:
        raise refused
    judged = outcomes(applicant, seats)
    hard = [outcome for outcome in judged
            if not outcome.passed and outcome.rule not in OVERRIDABLE]
    if hard:
        raise PlacementRefused(SEAT_REFUSALS.get(hard[0].rule, Refusal.NOT_BOOKABLE),
                               hard[0].reason)
    course = seats.course
    overridden = [outcome.rule for outcome in judged if not outcome.passed]
    at = uow.clock.now()
    explanation: dict[str, object] = {
        "rules": [{"rule": outcome.rule, "reason": outcome.reason, "passed": outcome.passed}
                  for outcome in judged],
        "score": {"wait_days": wait_days(course, today),
                  "travel": travel_cost(applicant, course)},
        "priority": policy.priority.priority(applicant, today),
        "manual": {"reason": request.reason, "actor": principal.subject,
                   "at": at.isoformat(), "overridden": overridden}}
    placements = uow.placements
    code = new_referral_code()
    while await placements.referral_codes_taken([code]):
        code = new_referral_code()
    record = PlacementRecord(
        placement_id=uuid.uuid4().hex, pseudonym=applicant.pseudonym,
        course_id=course.course_id, provider_id=course.provider_id, referral_code=code,
        status=PlacementStatus.OFFERED, offered_on=today, waiting_since=applicant.waiting_since,
        childcare=needs_childcare_place(applicant, course), explanation=explanation,
        expires_on=offer_expires_on(today, course.offer_response_days,
                                    policy.offer_response_days))
    previous = await previous_course_types(uow, [applicant.pseudonym], {
        each.course_id: each.course_type for each in await uow.courses.list()})
    await publish_placement_facts(uow, applicant, course.course_type,
                                  previous.get(applicant.pseudonym), today)
    await placements.add_all([record])
    await uow.waiting_people.remove(applicant.pseudonym)
    await uow.publish(PlacementOffered(
        placement_id=record.placement_id, pseudonym=record.pseudonym,
        referral_code=record.referral_code, course_id=record.course_id,
        provider_id=record.provider_id, offered_on=today, expires_on=record.expires_on),
        key=record.pseudonym, subject=record.pseudonym)
    await uow.manual_placements.record(ManualPlacementEntry(
        record.placement_id, course.course_id, principal.subject, principal.role.value, at,
        request.reason, tuple(overridden)))
    await publish_capacity_changes(uow, today)
    return record


async def choices(uow: AssignmentUnitOfWork, pseudonym: str, policy: AllocationPolicy
                  ) -> tuple[Applicant, list[tuple[Seats, list[RuleOutcome]]]]:
    """The person and every course a coordinator could place them in now (the county's open
    offer with a free seat), each with the rules it fails — the form's picker."""
    applicant = await _applicant(uow, pseudonym)
    today = uow.clock.today()
    offer = [seats for seats in await uow.courses.seats()
             if refusal(seats, policy, today) is None and seats.free_seats > 0]
    return applicant, [(seats, [outcome for outcome in outcomes(applicant, seats)
                                if not outcome.passed]) for seats in offer]
