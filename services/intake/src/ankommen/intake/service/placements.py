"""Keeping track of which provider has a confirmed placement for which of intake's cases, and
of the courses those placements are in.

Assignment announces placements (confirmed, declined, withdrawn) and progress the end of a
participation (completed, discontinued, or such a report retracted) on their topics, keyed by
pseudonym. Intake keeps only what it needs to decide a disclosure: referral code, pseudonym,
provider, course and the status. Events for pseudonyms intake does not know (erased, merged
away) are ignored, so nothing of an erased person is recorded again by a late event.

From assignment's courses topic intake keeps, per course, its provider, region, dates, status
and whether a coordinator approved it: a placement discloses nothing unless its course is one
the county approved, in the county, and running
(:func:`~ankommen.intake.domain.disclosure.placement_disclosable`). A placement may arrive
before its course (another topic): until the course is known, it discloses nothing.

The handlers do not commit: the consumer commits their work with the event's inbox row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.disclosure import CourseFacts, PlacementStatus
from ankommen.intake.domain.letter import CourseDetails
from ankommen.shared.events.contracts import assignment, progress
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent

if TYPE_CHECKING:
    from ankommen.shared.messaging.consumer import Handler

PLACEMENT_STATUS: dict[type[assignment.Placement], PlacementStatus] = {
    assignment.PlacementConfirmed: PlacementStatus.CONFIRMED,
    assignment.PlacementDeclined: PlacementStatus.DECLINED,
    assignment.PlacementWithdrawn: PlacementStatus.WITHDRAWN,
}
PARTICIPATION_END: dict[type[progress.ParticipationEvent], PlacementStatus] = {
    progress.CourseCompleted: PlacementStatus.COMPLETED,
    progress.CourseDiscontinued: PlacementStatus.DISCONTINUED,
}
RETRACTABLE = {progress.ReportKind.COMPLETION: PlacementStatus.COMPLETED,
               progress.ReportKind.DISCONTINUATION: PlacementStatus.DISCONTINUED}


async def _known(uow: IntakeUnitOfWork, pseudonym: str) -> bool:
    return pseudonym in await uow.cases.by_pseudonyms([pseudonym])


async def record_placement(uow: IntakeUnitOfWork, event: DecodedEvent) -> None:
    """A confirmation opens the disclosure; a decline or withdrawal closes it for good. A
    confirmation arriving after the placement ended (another topic, later) changes nothing."""
    data = event.data_as(assignment.Placement)
    if not await _known(uow, data.pseudonym):
        return
    placements = uow.placements
    status = PLACEMENT_STATUS[type(data)]
    current = await placements.status(data.referral_code)
    if status is PlacementStatus.CONFIRMED and current is not None:
        return
    await placements.save(referral_code=data.referral_code, pseudonym=data.pseudonym,
                          provider_id=data.provider_id, course_id=data.course_id,
                          status=status)


async def record_participation(uow: IntakeUnitOfWork, event: DecodedEvent) -> None:
    """Completion or discontinuation ends the disclosure: the provider no longer teaches the
    person. A retracted completion or discontinuation opens it again."""
    data = event.data_as(progress.ParticipationEvent)
    placements = uow.placements
    current = await placements.status(data.referral_code)
    if current is None or current.ends_placement:
        return  # not a confirmed placement intake knows of, or over for good
    if isinstance(data, progress.ReportCorrected):
        if (data.action is progress.CorrectionAction.RETRACTED
                and RETRACTABLE.get(data.original_kind) is current):
            await placements.set_status(data.referral_code, PlacementStatus.CONFIRMED)
        return
    await placements.set_status(data.referral_code, PARTICIPATION_END[type(data)])


async def record_course(uow: IntakeUnitOfWork, event: DecodedEvent) -> None:
    """A course published or changed (its full new state): approval, region, dates, status,
    and what the invitation letter prints (title, provider's name, venue, times, contact)."""
    data = event.data_as(assignment.CoursePublished, assignment.CourseUpdated)
    course = data.course
    await uow.courses.save(CourseFacts(
        course_id=course.course_id, provider_id=course.provider_id,
        region_key=course.region_key, starts_on=course.starts_on, ends_on=course.ends_on,
        status=course.status.value, approved=course.approved), CourseDetails(
        course_id=course.course_id, provider_id=course.provider_id,
        starts_on=course.starts_on, title=course.title, provider_name=course.provider_name,
        venue=course.venue, daily_start=course.daily_start, daily_end=course.daily_end,
        contact=course.contact, what_to_bring=course.what_to_bring))


async def record_course_cancelled(uow: IntakeUnitOfWork, event: DecodedEvent) -> None:
    data = event.data_as(assignment.CourseCancelled)
    await uow.courses.set_status(
        data.course_id, assignment.CourseStatus.CANCELLED.value)


COURSE_EVENTS: dict[type[EventData], Handler[IntakeUnitOfWork]] = {
    assignment.CoursePublished: record_course,
    assignment.CourseUpdated: record_course,
    assignment.CourseCancelled: record_course_cancelled,
}
