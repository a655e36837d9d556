"""Catalogue use cases: coordinators manage every course, providers only their own.

Every change is announced on the courses topic in the same transaction, and seats that a change
adds (a new course, more capacity) are allocated at once; a cancelled course hands its people
back to the waiting list with their original place.
"""

from __future__ import annotations

from ankommen.assignment.adapters.catalogue import CourseRepository
from ankommen.assignment.adapters.placements import PlacementRepository
from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service.allocation import AllocationPolicy, reallocate
from ankommen.assignment.service.placements import return_to_waiting_list
from ankommen.shared.auth import Principal, Role
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.errors import Conflict, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseCancelled,
    CoursePublished,
    CourseStatus,
    CourseUpdated,
    PlacementWithdrawn,
    WithdrawalReason,
)


def check_provider(principal: Principal, provider_id: str) -> None:
    """Providers act on their own courses only; anything else is forbidden, not hidden."""
    if principal.role is Role.PROVIDER and principal.provider_id != provider_id:
        raise Forbidden("provider_id: a provider may only manage its own courses",
                        field="provider_id")


async def visible_courses(uow: UnitOfWork, principal: Principal) -> list[Course]:
    provider = principal.provider_id if principal.role is Role.PROVIDER else None
    return await CourseRepository(uow.session).list(provider_id=provider)


async def course_for(uow: UnitOfWork, principal: Principal, course_id: str) -> Course:
    course = await CourseRepository(uow.session).get(course_id)
    if course is None:
        raise NotFound("course_id: no such course", field="course_id")
    check_provider(principal, course.provider_id)
    return course


async def publish_course(uow: UnitOfWork, principal: Principal, course: Course, *,
                         policy: AllocationPolicy) -> Course:
    check_provider(principal, course.provider_id)
    repository = CourseRepository(uow.session)
    if await repository.get(course.course_id) is not None:
        raise Conflict("course_id: a course with this id exists", field="course_id")
    if course.status is CourseStatus.CANCELLED:
        raise Conflict("status: a new course cannot be cancelled", field="status")
    await repository.add(course)
    await uow.publish(CoursePublished(course=course), key=course.course_id)
    await reallocate(uow, policy)
    return course


async def update_course(uow: UnitOfWork, principal: Principal, course: Course, *,
                        policy: AllocationPolicy) -> Course:
    current = await course_for(uow, principal, course.course_id)
    check_provider(principal, course.provider_id)
    if course.status is CourseStatus.CANCELLED:
        return await cancel_course(uow, principal, course.course_id, policy=policy)
    if current.status is CourseStatus.CANCELLED:
        raise Conflict("status: a cancelled course cannot change", field="status")
    holding = await PlacementRepository(uow.session).active_in_course(course.course_id)
    if course.capacity < len(holding):
        raise Conflict(f"capacity: {len(holding)} seats are already taken", field="capacity")
    if course.childcare_places < sum(record.childcare for record in holding):
        raise Conflict("childcare_places: more places are already taken",
                       field="childcare_places")
    await CourseRepository(uow.session).replace(course)
    await uow.publish(CourseUpdated(course=course), key=course.course_id)
    await reallocate(uow, policy)
    return course


async def cancel_course(uow: UnitOfWork, principal: Principal, course_id: str, *,
                        policy: AllocationPolicy) -> Course:
    current = await course_for(uow, principal, course_id)
    if current.status is CourseStatus.CANCELLED:
        return current
    cancelled = current.model_copy(update={"status": CourseStatus.CANCELLED})
    await CourseRepository(uow.session).replace(cancelled)
    await uow.publish(CourseCancelled(course_id=course_id, provider_id=current.provider_id),
                      key=course_id)
    placements = PlacementRepository(uow.session)
    for record in await placements.active_in_course(course_id):
        await placements.set_status(record.placement_id, PlacementStatus.WITHDRAWN)
        await uow.publish(PlacementWithdrawn(
            placement_id=record.placement_id, pseudonym=record.pseudonym,
            referral_code=record.referral_code, course_id=record.course_id,
            provider_id=record.provider_id, reason=WithdrawalReason.COURSE_CANCELLED),
            key=record.pseudonym, subject=record.pseudonym)
        await return_to_waiting_list(uow, record)
    await reallocate(uow, policy)
    return cancelled
