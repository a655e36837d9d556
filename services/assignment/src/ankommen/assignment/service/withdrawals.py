"""Taking placements back and putting their people on the waiting list again: shared by the
coordinator's cancellation, the day turn (postponed, cancelled and ended courses, expired
offers) and a declined offer.

Kept apart from the use cases that then reallocate, so that the allocation's day turn can use
it without importing them (they import the allocation).
"""

from __future__ import annotations

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseCancelled,
    CourseStatus,
    PlacementWithdrawn,
    WithdrawalReason,
)


async def return_to_waiting_list(uow: AssignmentUnitOfWork, record: PlacementRecord) -> None:
    """Back on the list with the original place (not at the end), if the case is still open."""
    cases = uow.cases
    survey = await cases.survey(record.pseudonym)
    waiting = uow.waiting_people
    if survey is None or not await cases.is_open(record.pseudonym) \
            or await waiting.get(record.pseudonym) is not None:
        return
    await waiting.add(WaitingPerson(record.pseudonym, survey.region_key, survey.german_level,
                                    record.waiting_since))


async def withdraw(uow: AssignmentUnitOfWork, record: PlacementRecord,
                   reason: WithdrawalReason) -> None:
    """Assignment takes the placement back (``PlacementWithdrawn``); the person waits again
    with their original place."""
    await uow.placements.set_status(record.placement_id,
                                                      PlacementStatus.WITHDRAWN)
    await uow.publish(PlacementWithdrawn(
        placement_id=record.placement_id, pseudonym=record.pseudonym,
        referral_code=record.referral_code, course_id=record.course_id,
        provider_id=record.provider_id, reason=reason),
        key=record.pseudonym, subject=record.pseudonym)
    await return_to_waiting_list(uow, record)


async def withdraw_from_course(uow: AssignmentUnitOfWork, course_id: str,
                               reason: WithdrawalReason) -> None:
    """Every placement of the course that progress has not enrolled (offered, confirmed) is
    withdrawn; enrolled ones end only by the provider's reports."""
    for record in await uow.placements.undecided_in_course(course_id):
        await withdraw(uow, record, reason)


async def cancel(uow: AssignmentUnitOfWork, course: Course) -> Course:
    """The course is cancelled (``CourseCancelled``) and its undecided placements withdrawn
    (``course_cancelled``): by a person (``catalogue.cancel_course``) or by the minimum rule.
    The caller reallocates."""
    cancelled = course.model_copy(update={"status": CourseStatus.CANCELLED})
    await uow.courses.replace(cancelled)
    await uow.publish(CourseCancelled(course_id=course.course_id,
                                      provider_id=course.provider_id), key=course.course_id)
    await withdraw_from_course(uow, course.course_id, WithdrawalReason.COURSE_CANCELLED)
    return cancelled
