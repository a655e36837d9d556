"""Intake's event handlers through the in-memory unit: what it keeps of courses, placements and
the end of participations — and that a handler never commits (the consumer commits its work
with the event's inbox row)."""

from __future__ import annotations

from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.service.placements import (
    record_course,
    record_course_cancelled,
    record_participation,
    record_placement,
)
from ankommen.shared.events.contracts.assignment import (
    CourseCancelled,
    CoursePublished,
    CourseUpdated,
    PlacementDeclined,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.events.contracts.progress import (
    CorrectionAction,
    CourseCompleted,
    CourseDiscontinued,
    DiscontinuationReason,
    ReportCorrected,
    ReportKind,
)
from ankommen.shared.events.envelope import EventData
from tests.intake.fakes import FakeDatabase
from tests.intake.unit.arrange import (
    REGISTERED_ON,
    confirmed,
    county_course,
    handled,
    registered,
)


def ended(kind: type[EventData], case: Case, code: str = "REF-0001", **extra: object
          ) -> EventData:
    return kind(pseudonym=case.pseudonym, referral_code=code, course_id="course-a",
                report_id=f"report-{kind.__name__}", **extra)


def completed(case: Case) -> EventData:
    return ended(CourseCompleted, case, completed_on=REGISTERED_ON)


def retracted(case: Case, kind: ReportKind) -> EventData:
    return ended(ReportCorrected, case, corrects_report_id="report-x",
                 action=CorrectionAction.RETRACTED, original_kind=kind)


def status(database: FakeDatabase, code: str = "REF-0001") -> PlacementStatus | None:
    stored = database.placements.get(code)
    return None if stored is None else stored.status


async def test_a_confirmation_records_the_placement_and_a_decline_ends_it_for_good():
    database = FakeDatabase()
    case = await registered(database)
    placement = confirmed(case)
    await handled(database, record_placement, placement)
    stored = database.placements["REF-0001"]
    assert (stored.pseudonym, stored.provider_id, stored.course_id, stored.status) == (
        case.pseudonym, "vhs-a", "course-a", PlacementStatus.CONFIRMED)
    await handled(database, record_placement, PlacementDeclined(
        **placement.model_dump(exclude={"event_type"})))
    assert status(database) is PlacementStatus.DECLINED
    await handled(database, record_placement, placement)  # late, from another partition
    assert status(database) is PlacementStatus.DECLINED


async def test_a_withdrawal_is_recorded_and_events_of_unknown_people_are_ignored():
    database = FakeDatabase()
    case = await registered(database)
    await handled(database, record_placement, PlacementWithdrawn(
        **confirmed(case).model_dump(exclude={"event_type"}),
        reason=WithdrawalReason.REALLOCATED))
    assert status(database) is PlacementStatus.WITHDRAWN
    erased = Case(survey=case.survey, registered_on=REGISTERED_ON)
    await handled(database, record_placement, confirmed(erased, "REF-0002"))
    assert status(database, "REF-0002") is None


async def test_the_end_of_a_participation_ends_the_placement_and_a_retraction_reopens_it():
    database = FakeDatabase()
    case = await registered(database)
    await handled(database, record_placement, confirmed(case))
    await handled(database, record_participation, completed(case))
    assert status(database) is PlacementStatus.COMPLETED
    await handled(database, record_participation, retracted(case, ReportKind.DISCONTINUATION))
    assert status(database) is PlacementStatus.COMPLETED, "another kind of report retracted"
    await handled(database, record_participation, retracted(case, ReportKind.COMPLETION))
    assert status(database) is PlacementStatus.CONFIRMED
    await handled(database, record_participation, ended(
        CourseDiscontinued, case, discontinued_on=REGISTERED_ON,
        reason=DiscontinuationReason.WORK))
    assert status(database) is PlacementStatus.DISCONTINUED


async def test_participations_of_placements_intake_does_not_know_or_that_ended_change_nothing():
    database = FakeDatabase()
    case = await registered(database)
    await handled(database, record_participation, completed(case))
    assert database.placements == {}
    await handled(database, record_placement, confirmed(case))
    await handled(database, record_placement, PlacementDeclined(
        **confirmed(case).model_dump(exclude={"event_type"})))
    await handled(database, record_participation, retracted(case, ReportKind.COMPLETION))
    assert status(database) is PlacementStatus.DECLINED


async def test_a_course_is_kept_with_what_the_letter_prints_and_its_cancellation():
    database = FakeDatabase()
    course = county_course(provider_name="VHS Heidekreis", what_to_bring="Wörterbuch")
    await handled(database, record_course, CoursePublished(course=course))
    stored = database.courses[course.course_id]
    assert (stored.facts.provider_id, stored.facts.region_key, stored.facts.approved) == (
        "vhs-a", "03358021", True)
    assert (stored.details.title, stored.details.provider_name,
            stored.details.what_to_bring) == (course.title, "VHS Heidekreis", "Wörterbuch")
    await handled(database, record_course, CourseUpdated(course=course.model_copy(
        update={"title": "Integrationskurs Walsrode"})))
    assert database.courses[course.course_id].details.title == "Integrationskurs Walsrode"
    await handled(database, record_course_cancelled, CourseCancelled(
        course_id=course.course_id, provider_id=course.provider_id))
    assert database.courses[course.course_id].facts.status == "cancelled"
