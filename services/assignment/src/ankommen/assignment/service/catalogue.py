"""Catalogue use cases: coordinators manage every course, providers only their own.

Every change is announced on the courses topic in the same transaction, and seats that a change
adds (a new course, more capacity) are allocated at once; a cancelled course hands its people
back to the waiting list with their original place.

A course lies in the county's districts or is refused (422 on ``region_key``), whoever enters
it. A provider's course is a draft until a coordinator approves it, and a provider's change of
an approved course that widens the offer makes it a draft again
(:mod:`ankommen.assignment.domain.approval`); allocation places nobody in a draft. Every
approval decision is kept in the course's review log.
"""

from __future__ import annotations

from collections.abc import Collection

from ankommen.assignment.adapters.catalogue import CourseReview
from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.approval import (
    approval_after_change,
    approval_on_creation,
    in_county,
)
from ankommen.assignment.domain.lifecycle import status_by_date
from ankommen.assignment.service import withdrawals
from ankommen.assignment.service.allocation import AllocationPolicy, reallocate
from ankommen.shared.errors import Conflict, DomainError, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseApproval,
    CoursePublished,
    CourseStatus,
    CourseUpdated,
)
from ankommen.shared.identity.auth import Principal, Role

#: Who approves courses: the county's education coordination. Not the operator (admin):
#: whether a course is the county's offer is a decision about the offer, not about IT.
APPROVERS = frozenset({Role.COORDINATOR})


class OutsideCounty(DomainError):
    """A course outside the county's districts: not an offer the county can make, so the
    request itself is invalid (422, naming ``region_key``)."""

    status = 422
    title = "Invalid request"


def check_in_county(course: Course, districts: Collection[str]) -> None:
    if not in_county(course, districts):
        raise OutsideCounty(
            f"region_key: outside the county's districts ({', '.join(sorted(districts))}); "
            "a course must lie in the county it is offered by", field="region_key")


def check_provider(principal: Principal, provider_id: str) -> None:
    """Providers act on their own courses only; anything else is forbidden, not hidden."""
    if principal.role is Role.PROVIDER and principal.provider_id != provider_id:
        raise Forbidden("provider_id: a provider may only manage its own courses",
                        field="provider_id")


def _dated(uow: AssignmentUnitOfWork, course: Course) -> dict[str, CourseStatus]:
    """The status a course entered or changed today has by its dates: one that has started is
    running, one that has ended is completed, whatever the request says. So the minimum rule
    (docs/assignment.md) applies to courses that reach their start day in the catalogue, not
    to a running course entered after its start."""
    return {"status": status_by_date(course, uow.clock.today())}


async def visible_courses(uow: AssignmentUnitOfWork, principal: Principal) -> list[Course]:
    provider = principal.provider_id if principal.role is Role.PROVIDER else None
    return await uow.courses.list(provider_id=provider)


async def course_for(uow: AssignmentUnitOfWork, principal: Principal, course_id: str) -> Course:
    course = await uow.courses.get(course_id)
    if course is None:
        raise NotFound("course_id: no such course", field="course_id")
    check_provider(principal, course.provider_id)
    return course


async def publish_course(uow: AssignmentUnitOfWork, principal: Principal, course: Course, *,
                         policy: AllocationPolicy) -> Course:
    check_provider(principal, course.provider_id)
    repository = uow.courses
    if await repository.get(course.course_id) is not None:
        raise Conflict("course_id: a course with this id exists", field="course_id")
    if course.status is CourseStatus.CANCELLED:
        raise Conflict("status: a new course cannot be cancelled", field="status")
    check_in_county(course, policy.districts)
    approval = approval_on_creation(by_approver=principal.role in APPROVERS)
    # Only the minimum rule postpones a course (like approval, a request's value is ignored).
    course = course.model_copy(update={
        "approval": approval, "postponed_from": None, **_dated(uow, course)})
    await repository.add(course)
    if approval is CourseApproval.APPROVED:
        await _review(uow, principal, course.course_id, approval, "approved on creation")
    await uow.publish(CoursePublished(course=course), key=course.course_id)
    await reallocate(uow, policy)
    return course


async def update_course(uow: AssignmentUnitOfWork, principal: Principal, course: Course, *,
                        policy: AllocationPolicy) -> Course:
    current = await course_for(uow, principal, course.course_id)
    check_provider(principal, course.provider_id)
    # Set by the minimum rule only (a request's value is ignored, like approval).
    course = course.model_copy(update={"postponed_from": current.postponed_from,
                                       **_dated(uow, course)})
    if course.status is CourseStatus.CANCELLED:
        return await cancel_course(uow, principal, course.course_id, policy=policy)
    if current.status is CourseStatus.CANCELLED:
        raise Conflict("status: a cancelled course cannot change", field="status")
    check_in_county(course, policy.districts)
    approval = approval_after_change(current, course,
                                     by_approver=principal.role in APPROVERS)
    course = course.model_copy(update={"approval": approval})
    holding = await uow.placements.active_in_course(course.course_id)
    if course.capacity < len(holding):
        raise Conflict(f"capacity: {len(holding)} seats are already taken", field="capacity")
    if course.childcare_places < sum(record.childcare for record in holding):
        raise Conflict("childcare_places: more places are already taken",
                       field="childcare_places")
    if approval is not current.approval:
        await _review(uow, principal, course.course_id, approval,
                      "changed by its provider: needs approval again")
    await uow.courses.replace(course)
    await uow.publish(CourseUpdated(course=course), key=course.course_id)
    await reallocate(uow, policy)
    return course


async def cancel_course(uow: AssignmentUnitOfWork, principal: Principal, course_id: str, *,
                        policy: AllocationPolicy) -> Course:
    """Offered and confirmed placements are withdrawn and their people wait again with their
    place; enrolled ones stay until the provider reports their end (docs/participation.md)."""
    current = await course_for(uow, principal, course_id)
    if current.status is CourseStatus.CANCELLED:
        return current
    cancelled = await withdrawals.cancel(uow, current)
    await reallocate(uow, policy)
    return cancelled


async def _review(uow: AssignmentUnitOfWork, principal: Principal, course_id: str,
                  decision: CourseApproval, note: str | None) -> None:
    await uow.course_reviews.record(CourseReview(
        course_id=course_id, decision=decision, actor=principal.subject,
        role=principal.role.value, at=uow.clock.now(), note=note))


async def approve_course(uow: AssignmentUnitOfWork, principal: Principal, course_id: str, *,
                         policy: AllocationPolicy) -> Course:
    """A coordinator makes the course the county's offer: allocated at once. Approving an
    approved course again changes nothing (and logs nothing)."""
    _check_approver(principal)
    current = await course_for(uow, principal, course_id)
    if current.status is CourseStatus.CANCELLED:
        raise Conflict("status: a cancelled course cannot be approved", field="status")
    check_in_county(current, policy.districts)
    if current.approved:
        return current
    return await _decide(uow, principal, current, CourseApproval.APPROVED, None, policy)


async def return_course(uow: AssignmentUnitOfWork, principal: Principal, course_id: str,
                        reason: str, *, policy: AllocationPolicy) -> Course:
    """A coordinator sends the course back to its provider with a reason: no new placements
    until the provider changes it and a coordinator approves it. People already placed keep
    their seats (to take them back, cancel the course)."""
    _check_approver(principal)
    current = await course_for(uow, principal, course_id)
    if current.status is CourseStatus.CANCELLED:
        raise Conflict("status: a cancelled course cannot be returned", field="status")
    return await _decide(uow, principal, current, CourseApproval.RETURNED, reason, policy)


async def reviews_of(uow: AssignmentUnitOfWork, principal: Principal, course_id: str
                     ) -> list[CourseReview]:
    await course_for(uow, principal, course_id)
    return await uow.course_reviews.of_course(course_id)


def _check_approver(principal: Principal) -> None:
    if principal.role not in APPROVERS:
        raise Forbidden("role: only a coordinator approves courses", field="role")


async def _decide(uow: AssignmentUnitOfWork, principal: Principal, current: Course,
                  decision: CourseApproval, note: str | None,
                  policy: AllocationPolicy) -> Course:
    decided = current.model_copy(update={"approval": decision})
    await uow.courses.replace(decided)
    await _review(uow, principal, current.course_id, decision, note)
    await uow.publish(CourseUpdated(course=decided), key=current.course_id)
    await reallocate(uow, policy)
    return decided
