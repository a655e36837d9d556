"""What events of other services change here: courses and placements from assignment (the
ground truth a report is checked against), cases, erasures and merges from intake."""

from __future__ import annotations

from ankommen.progress.adapters.repository import (
    CatalogueRepository,
    ErasureRepository,
    KnownCaseRepository,
)
from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts import assignment
from ankommen.shared.events.contracts.intake import (
    CaseErased,
    CaseRegistered,
    CasesMerged,
    SurveyUpdated,
)
from ankommen.shared.events.registry import DecodedEvent

PLACEMENT_STATUS = {
    assignment.PlacementOffered: PlacementStatus.OFFERED,
    assignment.PlacementConfirmed: PlacementStatus.CONFIRMED,
    assignment.PlacementDeclined: PlacementStatus.DECLINED,
    assignment.PlacementWithdrawn: PlacementStatus.WITHDRAWN,
}


async def remember_registered_case(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: CaseRegistered = event.data
    await KnownCaseRepository(uow.session).add(
        KnownCase(pseudonym=data.pseudonym, registered_on=data.registered_on,
                  german_level=data.survey.german_level.value))


async def apply_survey_update(uow: UnitOfWork, event: DecodedEvent) -> None:
    """A German level corrected or newly assessed at intake is the level the person starts
    their next course with (``level_at_start`` of its outcome facts). Seats offered before
    keep theirs: that is the level the seat was offered for. Other survey answers are not
    progress's business."""
    data: SurveyUpdated = event.data
    level = data.changes.get("german_level")
    if level is not None:
        await KnownCaseRepository(uow.session).set_level(data.pseudonym,
                                                         getattr(level, "value", level))


async def erase_case(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: CaseErased = event.data
    await ErasureRepository(uow.session).erase(data.pseudonym)
    await uow.forget_published_events(data.pseudonym)


async def merge_cases(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: CasesMerged = event.data
    await ErasureRepository(uow.session).merge(data.merged_pseudonym, data.surviving_pseudonym)


async def record_course(uow: UnitOfWork, event: DecodedEvent) -> None:
    course: assignment.Course = event.data.course
    await CatalogueRepository(uow.session).save_course(Course(
        course_id=course.course_id, provider_id=course.provider_id, title=course.title,
        course_type=course.course_type.value, region_key=course.region_key,
        starts_on=course.starts_on, ends_on=course.ends_on, hours=course.hours),
        course.status.value)


async def cancel_course(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: assignment.CourseCancelled = event.data
    await CatalogueRepository(uow.session).cancel_course(data.course_id)


async def record_placement(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: assignment.Placement = event.data
    await CatalogueRepository(uow.session).save_placement(Placement(
        referral_code=data.referral_code, placement_id=data.placement_id,
        pseudonym=data.pseudonym, course_id=data.course_id, provider_id=data.provider_id,
        status=PLACEMENT_STATUS[type(data)]))
