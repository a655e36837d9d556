"""What events of other services change here: courses and placements from assignment (the
ground truth a report is checked against), cases, erasures and merges from intake.

A case event for a case not registered here yet (its registration was parked in intake's
outbox, or dead-lettered here) is parked, not dropped, and applied when the registration
arrives (:mod:`ankommen.shared.messaging.parking`); the erasure of a case deletes what was
parked for it.
"""

from __future__ import annotations

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.shared.events.contracts import assignment
from ankommen.shared.events.contracts.intake import (
    CaseErased,
    CaseRegistered,
    CasesMerged,
    SurveyUpdated,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.consumer import Handler

PLACEMENT_STATUS = {
    assignment.PlacementOffered: PlacementStatus.OFFERED,
    assignment.PlacementConfirmed: PlacementStatus.CONFIRMED,
    assignment.PlacementDeclined: PlacementStatus.DECLINED,
    assignment.PlacementWithdrawn: PlacementStatus.WITHDRAWN,
    assignment.PlacementExpired: PlacementStatus.EXPIRED,
}
NOT_REGISTERED = "the case is not registered here yet"


async def remember_registered_case(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(CaseRegistered)
    await uow.cases.add(
        KnownCase(pseudonym=data.pseudonym, registered_on=data.registered_on,
                  german_level=data.survey.german_level.value))
    # Events of this case that came before its registration, in the order they came.
    for parked in await uow.parked_events.take([data.pseudonym]):
        await CASE_EVENTS[type(parked.data)](uow, parked)


async def apply_survey_update(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    """A German level corrected or newly assessed at intake is the level the person starts
    their next course with (``level_at_start`` of its outcome facts). Seats offered before
    keep theirs: that is the level the seat was offered for. Other survey answers are not
    progress's business."""
    data = event.data_as(SurveyUpdated)
    cases = uow.cases
    if not await cases.known(data.pseudonym):
        await uow.parked_events.park(data.pseudonym, event, NOT_REGISTERED)
        return
    level = data.changes.get("german_level")
    if level is not None:
        await cases.set_level(data.pseudonym, getattr(level, "value", level))


async def erase_case(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(CaseErased)
    await uow.parked_events.forget(data.pseudonym)
    await uow.pseudonyms.erase(data.pseudonym)
    await uow.forget_published_events(data.pseudonym)


async def merge_cases(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(CasesMerged)
    merged_known = await uow.cases.known(data.merged_pseudonym)
    # Placements of the merged case may be here before its registration (another topic).
    await uow.pseudonyms.merge(data.merged_pseudonym, data.surviving_pseudonym)
    if not merged_known:
        # The merged case's registration is still to come: merge it too when it does.
        await uow.parked_events.park(data.merged_pseudonym, event, NOT_REGISTERED)


#: What each case event (intake's cases topic) changes here.
CASE_EVENTS: dict[type[EventData], Handler[ProgressUnitOfWork]] = {
    CaseRegistered: remember_registered_case,
    SurveyUpdated: apply_survey_update,
    CaseErased: erase_case,
    CasesMerged: merge_cases,
}


async def record_course(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    course = event.data_as(assignment.CoursePublished, assignment.CourseUpdated).course
    await uow.catalogue.save_course(Course(
        course_id=course.course_id, provider_id=course.provider_id, title=course.title,
        course_type=course.course_type.value, region_key=course.region_key,
        starts_on=course.starts_on, ends_on=course.ends_on, hours=course.hours),
        course.status.value)


async def cancel_course(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(assignment.CourseCancelled)
    await uow.catalogue.cancel_course(data.course_id)


async def record_placement(uow: ProgressUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(*PLACEMENT_STATUS)
    await uow.catalogue.save_placement(Placement(
        referral_code=data.referral_code, placement_id=data.placement_id,
        pseudonym=data.pseudonym, course_id=data.course_id, provider_id=data.provider_id,
        status=PLACEMENT_STATUS[type(data)]))
