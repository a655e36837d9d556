"""Assignment's event handlers: what a case or participation event changes here.

Each runs inside the consumer's unit of work; whenever an event adds a waiting person or frees a
seat, the allocation runs again in that same transaction, so the freed seat is offered (and
announced) as soon as the event is consumed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ankommen.assignment.adapters.catalogue import CourseRepository
from ankommen.assignment.adapters.placements import PlacementRepository
from ankommen.assignment.adapters.repository import CaseRepository, WaitingListRepository
from ankommen.assignment.domain.next_step import next_step
from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.assignment.service.allocation import AllocationPolicy, reallocate
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.assignment import (
    NextCourseProposed,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseErased,
    CaseRegistered,
    CasesMerged,
    SurveyUpdated,
)
from ankommen.shared.events.contracts.progress import (
    CourseCompleted,
    CourseDiscontinued,
    ExamResultRecorded,
)
from ankommen.shared.events.registry import DecodedEvent

Handler = Callable[[UnitOfWork, DecodedEvent], Awaitable[None]]


async def put_registered_case_on_waiting_list(uow: UnitOfWork, event: DecodedEvent) -> None:
    """A newly registered case waits for a fitting course from the day of registration."""
    data: CaseRegistered = event.data
    await CaseRepository(uow.session).add(data.pseudonym, data.survey, data.registered_on)
    await WaitingListRepository(uow.session).add(WaitingPerson(
        pseudonym=data.pseudonym, region_key=data.survey.region_key,
        german_level=data.survey.german_level,
        waiting_since=data.registered_on))


async def apply_survey_update(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: SurveyUpdated = event.data
    cases = CaseRepository(uow.session)
    survey = await cases.survey(data.pseudonym)
    if survey is None:
        return
    updated = data.apply_to(survey)
    await cases.update_survey(data.pseudonym, updated)
    await WaitingListRepository(uow.session).refresh(data.pseudonym, updated)


async def _withdraw_active(uow: UnitOfWork, pseudonym: str, reason: WithdrawalReason) -> None:
    placements = PlacementRepository(uow.session)
    for record in await placements.of_person(pseudonym):
        if record.active:
            await placements.set_status(record.placement_id, PlacementStatus.WITHDRAWN)
            await uow.publish(PlacementWithdrawn(
                placement_id=record.placement_id, pseudonym=pseudonym,
                referral_code=record.referral_code, course_id=record.course_id,
                provider_id=record.provider_id, reason=reason), key=pseudonym, subject=pseudonym)


async def stop_closed_case(uow: UnitOfWork, event: DecodedEvent) -> None:
    """No further placements: off the waiting list, open offers withdrawn."""
    data: CaseClosed = event.data
    await CaseRepository(uow.session).close(data.pseudonym)
    await WaitingListRepository(uow.session).remove(data.pseudonym)
    await _withdraw_active(uow, data.pseudonym, WithdrawalReason.CASE_CLOSED)


async def erase_case(uow: UnitOfWork, event: DecodedEvent) -> None:
    """Every row of the pseudonym goes; its seats become free."""
    data: CaseErased = event.data
    await WaitingListRepository(uow.session).remove(data.pseudonym)
    await PlacementRepository(uow.session).delete_person(data.pseudonym)
    await CaseRepository(uow.session).delete(data.pseudonym)
    await uow.forget_published_events(data.pseudonym)


async def merge_cases(uow: UnitOfWork, event: DecodedEvent) -> None:
    """The merged case's placements and place on the list move to the surviving case."""
    data: CasesMerged = event.data
    await WaitingListRepository(uow.session).rekey(data.merged_pseudonym,
                                                   data.surviving_pseudonym)
    await PlacementRepository(uow.session).rekey(data.merged_pseudonym, data.surviving_pseudonym)
    await CaseRepository(uow.session).delete(data.merged_pseudonym)


async def free_discontinued_seat(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: CourseDiscontinued = event.data
    placements = PlacementRepository(uow.session)
    record = await placements.by_referral_code(data.referral_code)
    if record is not None and record.active:
        await placements.set_status(record.placement_id, PlacementStatus.DISCONTINUED)


async def take_level_from_exam(uow: UnitOfWork, event: DecodedEvent) -> None:
    """The latest result sets the level here; a correction is simply the latest result."""
    data: ExamResultRecorded = event.data
    if data.level_reached is None:
        return
    await _set_level(uow, data.pseudonym, data.level_reached)


async def _set_level(uow: UnitOfWork, pseudonym: str, level: object) -> None:
    cases = CaseRepository(uow.session)
    survey = await cases.survey(pseudonym)
    if survey is None:
        return
    updated = survey.model_copy(update={"german_level": level})
    await cases.update_survey(pseudonym, updated)
    await WaitingListRepository(uow.session).refresh(pseudonym, updated)


async def propose_next_course(uow: UnitOfWork, event: DecodedEvent) -> None:
    """*Förderkette*: from the level reached and the known goals, the next course type; the
    person waits for it from the day of completion (no new survey)."""
    data: CourseCompleted = event.data
    placements = PlacementRepository(uow.session)
    record = await placements.by_referral_code(data.referral_code)
    if record is not None:
        await placements.set_status(record.placement_id, PlacementStatus.COMPLETED)
        await CaseRepository(uow.session).set_previous_provider(data.pseudonym,
                                                                record.provider_id)
    cases = CaseRepository(uow.session)
    if data.level_reached is None or not await cases.is_open(data.pseudonym):
        return
    await _set_level(uow, data.pseudonym, data.level_reached)
    survey = await cases.survey(data.pseudonym)
    completed = await CourseRepository(uow.session).get(data.course_id)
    if completed is None:
        return
    step = next_step(survey, completed.course_type, data.level_reached)
    if step is None:
        return
    await uow.publish(NextCourseProposed(
        pseudonym=data.pseudonym, completed_course_id=data.course_id,
        level_reached=data.level_reached, course_type=step.course_type,
        target_level=step.target_level), key=data.pseudonym, subject=data.pseudonym)
    waiting = WaitingListRepository(uow.session)
    await waiting.remove(data.pseudonym)
    await waiting.add(WaitingPerson(data.pseudonym, survey.region_key, survey.german_level,
                                    data.completed_on, wanted_course_type=step.course_type))


def reallocating(handler: Handler, policy: AllocationPolicy) -> Handler:
    """The handler, then an allocation in the same transaction."""

    async def handle(uow: UnitOfWork, event: DecodedEvent) -> None:
        await handler(uow, event)
        await reallocate(uow, policy)

    handle.__name__ = handler.__name__
    return handle


def case_handlers(policy: AllocationPolicy) -> dict[type, Handler]:
    return {
        CaseRegistered: reallocating(put_registered_case_on_waiting_list, policy),
        SurveyUpdated: reallocating(apply_survey_update, policy),
        CaseClosed: reallocating(stop_closed_case, policy),
        CaseErased: reallocating(erase_case, policy),
        CasesMerged: reallocating(merge_cases, policy),
    }


def participation_handlers(policy: AllocationPolicy) -> dict[type, Handler]:
    return {
        CourseDiscontinued: reallocating(free_discontinued_seat, policy),
        CourseCompleted: reallocating(propose_next_course, policy),
        ExamResultRecorded: reallocating(take_level_from_exam, policy),
    }
