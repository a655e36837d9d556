"""A coordinator's decisions on a course, and what they would do before they are made.

Approve, return, postpone and cancel each change who holds or gets a seat. The confirmation
pages show that first: :func:`consequences` runs the very use case in a transaction that is
never committed (the page's read unit: nothing is stored, nothing is published), and reads off
who loses a seat, who would be offered one (the offers the change's own reallocation makes,
then a dry run of the allocation after it) and how many seats it frees. The preview cannot
disagree with the action: it is the action.

A coordinator's postponement (:func:`postpone_course`) is the minimum rule's postponement
(:func:`~ankommen.assignment.domain.lifecycle.postponed_to`) at a date the coordinator
chooses: the course moves, is announced, its undecided placements are withdrawn
(``course_postponed``) and its people are reallocated (other courses, or the waiting list with
their original place).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.lifecycle import postponed_to
from ankommen.assignment.domain.placement import PlacementRecord
from ankommen.assignment.service import catalogue
from ankommen.assignment.service.allocation import AllocationPolicy, reallocate, run_allocation
from ankommen.assignment.service.withdrawals import withdraw_from_course
from ankommen.shared.errors import Conflict, DomainError, Forbidden
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseStatus,
    CourseUpdated,
    WithdrawalReason,
)
from ankommen.shared.identity.auth import Principal

#: How far a coordinator may move a course: a course a year later is another course (its
#: people, placed for this year, are better served by a new one).
MAX_POSTPONEMENT_DAYS = 365


class InvalidPostponement(DomainError):
    """A new start that is no postponement (not later, or in the past): input, hence 422."""

    status = 422
    title = "Invalid request"


def check_coordinator(principal: Principal, what: str) -> None:
    if principal.role not in catalogue.APPROVERS:
        raise Forbidden(f"role: only a coordinator {what}", field="role")


async def postpone_course(uow: AssignmentUnitOfWork, principal: Principal, course_id: str,
                          starts_on: date, *, policy: AllocationPolicy) -> Course:
    """Move a course that has not started to the later ``starts_on`` (end and late-entry
    deadline by as many days); its undecided placements are withdrawn and reallocated."""
    check_coordinator(principal, "postpones courses")
    current = await catalogue.course_for(uow, principal, course_id)
    today = uow.clock.today()
    if current.status in (CourseStatus.CANCELLED, CourseStatus.COMPLETED):
        raise Conflict(f"status: a {current.status} course cannot be postponed",
                       field="status")
    if today >= current.starts_on:
        raise Conflict("starts_on: the course has started; it cannot be postponed",
                       field="starts_on")
    if starts_on <= current.starts_on:
        raise InvalidPostponement("starts_on: a postponement moves the start later",
                                  field="starts_on")
    if (starts_on - current.starts_on).days > MAX_POSTPONEMENT_DAYS:
        raise InvalidPostponement("starts_on: a postponement moves the start by at most "
                                  f"{MAX_POSTPONEMENT_DAYS} days", field="starts_on")
    moved = postponed_to(current, starts_on)
    await uow.courses.replace(moved)
    await uow.publish(CourseUpdated(course=moved), key=moved.course_id)
    await withdraw_from_course(uow, course_id, WithdrawalReason.COURSE_POSTPONED)
    await reallocate(uow, policy)
    return moved


@dataclass(frozen=True)
class Offer:
    """A seat the change would offer: to whom (pseudonym, as the pages show people), where."""

    pseudonym: str
    course_id: str


@dataclass(frozen=True)
class Consequences:
    """What a change of a course would do, read from a rolled-back run of it."""

    #: The course as it would be after the change.
    course: Course
    #: Placements in the course that the change takes back (offered, confirmed).
    losing: list[PlacementRecord]
    #: Who would be offered a seat: by the change's reallocation, then by the next allocation.
    offers: list[Offer]
    #: Seats in the course that the change frees.
    seats_freed: int
    #: Courses the next allocation would not start for lacking their minimum.
    below_minimum: frozenset[str]


Change = Callable[[AssignmentUnitOfWork], Awaitable[Course]]


async def consequences(uow: AssignmentUnitOfWork, course_id: str, change: Change, *,
                       policy: AllocationPolicy) -> Consequences:
    """Run ``change`` (a use case on the course) on ``uow``, an open unit its caller never
    commits (the pages' read unit, :mod:`ankommen.assignment.service.views`); what it did. The
    refusals of the use case (a provider approving, a cancelled course) are raised as they
    are."""
    today = uow.clock.today()
    placements = uow.placements
    holding = {record.placement_id: record
               for record in await placements.active_in_course(course_id)}
    offered_before = await placements.offers_made_on(today)
    course = await change(uow)
    still = {record.placement_id for record in await placements.active_in_course(course_id)}
    losing = [record for placement_id, record in holding.items() if placement_id not in still]
    made = await placements.offers_made_on(today)
    offers = [Offer(pseudonym, offered_course)
              for placement_id, (pseudonym, offered_course) in made.items()
              if placement_id not in offered_before]
    preview = await run_allocation(uow, today=today, priority=policy.priority,
                                   districts=policy.districts, dry_run=True)
    offers += [Offer(proposed.pseudonym, proposed.course_id)
               for proposed in preview.allocation.placements]
    return Consequences(course, losing, offers, len(losing), preview.allocation.below_minimum)
