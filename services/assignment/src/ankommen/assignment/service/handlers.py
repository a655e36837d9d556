"""Assignment's event handlers: what a case or participation event changes here.

The consumers take events in batches: each handler applies one event inside the batch's unit
of work, and the batch ends with one allocation in that same transaction (see
:func:`applying_then_allocating`), so a freed seat is offered (and announced) as soon as the
batch that freed it is consumed.

A case event for a case not registered here yet (its registration was parked in intake's
outbox, or dead-lettered here) is parked, not dropped, and applied when the registration
arrives (:mod:`ankommen.shared.messaging.parking`). A participation event for an unknown case
is different: placements exist only for registered cases, so its case was erased or merged
away, and the event is ignored — parking it would keep an erased person's pseudonym.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from itertools import groupby
from typing import TypeVar

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.next_step import next_step
from ankommen.assignment.domain.placement import ENDED_HERE, PlacementStatus
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.assignment.service.allocation import AllocationPolicy, place_after
from ankommen.assignment.service.withdrawals import withdraw
from ankommen.shared.events.contracts.assignment import (
    NextCourseProposed,
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
    CorrectionAction,
    CourseCompleted,
    CourseDiscontinued,
    ExamResultRecorded,
    ParticipantEnrolled,
    ReportCorrected,
    ReportKind,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.consumer import BatchHandler, Delivery

logger = logging.getLogger(__name__)

Handler = Callable[[AssignmentUnitOfWork, DecodedEvent], Awaitable[None]]
#: Applies several consecutive events of one type at once.
BulkHandler = Callable[[AssignmentUnitOfWork, Sequence[DecodedEvent]], Awaitable[None]]

NOT_REGISTERED = "the case is not registered here yet"

DataT = TypeVar("DataT", bound=EventData)


async def put_registered_cases_on_waiting_list(uow: AssignmentUnitOfWork,
                                               events: Sequence[DecodedEvent]) -> None:
    """Newly registered cases wait for a fitting course from the day of registration (a run
    of registrations is stored with one insert per table)."""
    registered = [event.data_as(CaseRegistered) for event in events]
    await uow.cases.add_all(
        [(data.pseudonym, data.survey, data.registered_on) for data in registered])
    await uow.waiting_people.add_all([WaitingPerson(
        pseudonym=data.pseudonym, region_key=data.survey.region_key,
        german_level=data.survey.german_level, waiting_since=data.registered_on)
        for data in registered])
    # Events of these cases that came before their registration, in the order they came.
    for parked in await uow.parked_events.take([data.pseudonym for data in registered]):
        await CASE_EVENTS[type(parked.data)](uow, parked)


async def put_registered_case_on_waiting_list(uow: AssignmentUnitOfWork,
                                              event: DecodedEvent) -> None:
    await put_registered_cases_on_waiting_list(uow, [event])


async def apply_survey_update(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(SurveyUpdated)
    cases = uow.cases
    survey = await cases.survey(data.pseudonym)
    if survey is None:
        await uow.parked_events.park(data.pseudonym, event, NOT_REGISTERED)
        return
    updated = data.apply_to(survey)
    await cases.update_survey(data.pseudonym, updated)
    await uow.waiting_people.refresh(data.pseudonym, updated)


async def _withdraw_active(uow: AssignmentUnitOfWork, pseudonym: str,
                           reason: WithdrawalReason) -> None:
    """Offered and confirmed placements are taken back; an enrolled one stays: the person is
    in the course, and only the provider's completion or discontinuation report ends that
    (docs/participation.md)."""
    for record in await uow.placements.of_person(pseudonym):
        if record.withdrawable:
            # The case is closed before this: nobody returns to the waiting list.
            await withdraw(uow, record, reason)


async def stop_closed_case(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """No further placements: off the waiting list, open offers and confirmed placements
    withdrawn (an enrolment stays, see :func:`_withdraw_active`)."""
    data = event.data_as(CaseClosed)
    if not await uow.cases.known(data.pseudonym):
        await uow.parked_events.park(data.pseudonym, event, NOT_REGISTERED)
        return
    await uow.cases.close(data.pseudonym)
    await uow.waiting_people.remove(data.pseudonym)
    await _withdraw_active(uow, data.pseudonym, WithdrawalReason.CASE_CLOSED)


async def erase_case(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """Every row of the pseudonym goes, events parked for it included; its seats become
    free."""
    data = event.data_as(CaseErased)
    await uow.parked_events.forget(data.pseudonym)
    await uow.waiting_people.remove(data.pseudonym)
    await uow.placements.delete_person(data.pseudonym)
    await uow.cases.delete(data.pseudonym)
    await uow.forget_published_events(data.pseudonym)


async def merge_cases(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """The merged case's placements and place on the list move to the surviving case."""
    data = event.data_as(CasesMerged)
    if not await uow.cases.known(data.merged_pseudonym):
        # Nothing of the merged case is here yet (placements follow registration): the merge
        # waits for the merged case's registration, which it follows on the cases topic.
        await uow.parked_events.park(data.merged_pseudonym, event, NOT_REGISTERED)
        return
    await uow.waiting_people.rekey(data.merged_pseudonym,
                                                   data.surviving_pseudonym)
    await uow.placements.rekey(data.merged_pseudonym, data.surviving_pseudonym)
    await uow.cases.delete(data.merged_pseudonym)


async def free_discontinued_seat(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """The provider's discontinuation frees the seat; for a placement assignment ended
    meanwhile (withdrawal wins) it changes nothing."""
    data = event.data_as(CourseDiscontinued)
    placements = uow.placements
    record = await placements.by_referral_code(data.referral_code)
    if record is not None and record.active:
        await placements.set_status(record.placement_id, PlacementStatus.DISCONTINUED)
    elif record is not None and record.status in ENDED_HERE:
        logger.info("discontinuation not applied: the placement is %s here",
                    record.status.value, extra={"event_id": event.envelope.id})


async def take_level_from_exam(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """The latest result sets the level here; a correction is simply the latest result."""
    data = event.data_as(ExamResultRecorded)
    if data.level_reached is None:
        return
    if not await _set_level(uow, data.pseudonym, data.level_reached):
        # Erased or merged away (see the module's docstring): nothing left to change.
        logger.info("exam result for a case no longer known here ignored", extra={
            "event_id": event.envelope.id})


async def _set_level(uow: AssignmentUnitOfWork, pseudonym: str, level: object) -> bool:
    """Whether the case is known here (and its level now set)."""
    cases = uow.cases
    survey = await cases.survey(pseudonym)
    if survey is None:
        return False
    updated = survey.model_copy(update={"german_level": level})
    await cases.update_survey(pseudonym, updated)
    await uow.waiting_people.refresh(pseudonym, updated)
    return True


async def record_enrolment(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """The provider's enrolment, accepted by progress: confirmed → enrolled. Progress takes an
    enrolment only for a confirmed placement, so any other status here means assignment ended
    the placement while the enrolment was on its way (the race: the withdrawal wins, progress
    shows the placement as withdrawn too) or the case is gone: nothing changes."""
    data = event.data_as(ParticipantEnrolled)
    placements = uow.placements
    record = await placements.by_referral_code(data.referral_code)
    if record is not None and record.status is PlacementStatus.CONFIRMED:
        await placements.set_status(record.placement_id, PlacementStatus.ENROLLED)
        return
    if (record is not None and record.status is PlacementStatus.ENROLLED
            and data.corrects_report_id is not None):
        return  # a corrected start day: still enrolled
    logger.info("enrolment not applied: the placement is %s here",
                record.status.value if record else "unknown", extra={
                    "event_id": event.envelope.id})


#: What a retracted report takes a placement back to, by the retracted report's kind and the
#: placement's status: the step the report made, undone.
RETRACTED_BACK_TO = {
    (ReportKind.ENROLMENT, PlacementStatus.ENROLLED): PlacementStatus.CONFIRMED,
    (ReportKind.COMPLETION, PlacementStatus.COMPLETED): PlacementStatus.ENROLLED,
    (ReportKind.DISCONTINUATION, PlacementStatus.DISCONTINUED): PlacementStatus.ENROLLED,
}
RETRACTABLE_KINDS = frozenset(kind for kind, _ in RETRACTED_BACK_TO)


async def undo_retracted_report(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """A provider retracted its enrolment (enrolled → confirmed) or its completion or
    discontinuation (→ enrolled again: the placement holds its seat again, and the person no
    longer waits for a next course). Corrections that replace a report change no status;
    retractions of other reports (attendance, exams …) neither."""
    data = event.data_as(ReportCorrected)
    if data.action is not CorrectionAction.RETRACTED:
        return
    if data.original_kind not in RETRACTABLE_KINDS:
        return
    placements = uow.placements
    record = await placements.by_referral_code(data.referral_code)
    back_to = None if record is None else RETRACTED_BACK_TO.get((data.original_kind,
                                                                 record.status))
    if record is None or back_to is None:
        logger.info("retraction not applied: the placement is %s here",
                    record.status.value if record else "unknown",
                    extra={"event_id": event.envelope.id})
        return
    await placements.set_status(record.placement_id, back_to)
    if back_to is PlacementStatus.ENROLLED:
        # In their course again: not waiting for the next one (propose_next_course).
        await uow.waiting_people.remove(record.pseudonym)


async def propose_next_course(uow: AssignmentUnitOfWork, event: DecodedEvent) -> None:
    """*Förderkette*: from the level reached and the known goals, the next course type; the
    person waits for it from the day of completion (no new survey). A completion of a
    placement assignment ended meanwhile (the race: withdrawal wins) changes nothing."""
    data = event.data_as(CourseCompleted)
    placements = uow.placements
    record = await placements.by_referral_code(data.referral_code)
    if record is not None and record.status in ENDED_HERE:
        logger.info("completion not applied: the placement is %s here", record.status.value,
                    extra={"event_id": event.envelope.id})
        return
    if record is not None:
        await placements.set_status(record.placement_id, PlacementStatus.COMPLETED)
        await uow.cases.set_previous_provider(data.pseudonym,
                                                                record.provider_id)
    cases = uow.cases
    if data.level_reached is None or not await cases.is_open(data.pseudonym):
        return
    await _set_level(uow, data.pseudonym, data.level_reached)
    survey = await cases.survey(data.pseudonym)
    if survey is None:
        raise LookupError("an open case without a survey")
    completed = await uow.courses.get(data.course_id)
    if completed is None:
        return
    step = next_step(survey, completed.course_type, data.level_reached)
    if step is None:
        return
    await uow.publish(NextCourseProposed(
        pseudonym=data.pseudonym, completed_course_id=data.course_id,
        level_reached=data.level_reached, course_type=step.course_type,
        target_level=step.target_level), key=data.pseudonym, subject=data.pseudonym)
    waiting = uow.waiting_people
    await waiting.remove(data.pseudonym)
    await waiting.add(WaitingPerson(data.pseudonym, survey.region_key, survey.german_level,
                                    data.completed_on, wanted_course_type=step.course_type))


def applying_then_allocating(handlers: dict[type, Handler], policy: AllocationPolicy, *,
                             in_bulk: dict[type, BulkHandler] | None = None
                             ) -> BatchHandler[AssignmentUnitOfWork]:
    """A batch handler: each event of the batch applied in the order consumed (so one
    person's events keep their order), then ONE allocation, all in the batch's transaction:
    the incremental step over the people who could take a free seat
    (:func:`~ankommen.assignment.service.allocation.place_incrementally`), or — with no
    usable kept index — the full run over everyone waiting.

    Every event these consumers handle may add a waiting person or free a seat, so each batch
    ends with an allocation; a batch of registrations thus costs one optimisation, not one per
    person. With seats for all, the placements are those that handling the events one by one
    would give; when seats are short the run weighs the whole batch's people together.

    ``in_bulk``: event types whose consecutive events are applied together (a run of
    registrations: one insert, not one per person); the order of the batch is kept."""
    in_bulk = in_bulk or {}

    async def handle(uow: AssignmentUnitOfWork, deliveries: Sequence[Delivery]) -> None:
        for event_type, run in groupby(deliveries, key=lambda item: type(item.event.data)):
            events = [delivery.event for delivery in run]
            if event_type in in_bulk:
                await in_bulk[event_type](uow, events)
                continue
            for event in events:
                await handlers[event_type](uow, event)
        await place_after(uow, policy, touched_by(delivery.event for delivery in deliveries))

    return handle


def touched_by(events: Iterable[DecodedEvent]) -> set[str]:
    """The pseudonyms the events name: the people whose place on the waiting list, survey or
    level the batch may have changed (every case and participation event names its person)."""
    touched: set[str] = set()
    for event in events:
        for field in ("pseudonym", "merged_pseudonym", "surviving_pseudonym"):
            value = getattr(event.data, field, None)
            if isinstance(value, str):
                touched.add(value)
    return touched


#: What each case event (intake's cases topic) changes here, before the batch's allocation.
CASE_EVENTS: dict[type, Handler] = {
    CaseRegistered: put_registered_case_on_waiting_list,
    SurveyUpdated: apply_survey_update,
    CaseClosed: stop_closed_case,
    CaseErased: erase_case,
    CasesMerged: merge_cases,
}

#: Case events applied together when they follow each other in a batch.
CASE_EVENTS_IN_BULK: dict[type, BulkHandler] = {
    CaseRegistered: put_registered_cases_on_waiting_list,
}

#: What each participation event (progress's topic) changes here, before the allocation.
PARTICIPATION_EVENTS: dict[type, Handler] = {
    ParticipantEnrolled: record_enrolment,
    ReportCorrected: undo_retracted_report,
    CourseDiscontinued: free_discontinued_seat,
    CourseCompleted: propose_next_course,
    ExamResultRecorded: take_level_from_exam,
}
