"""Assignment's event handlers on the fakes, each in a batch as the consumers hand it over (the
batch ends with one allocation; the consumer commits it — the handlers never do): what a case
or participation event changes here, what waits for its case, and what is ignored."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    apply_survey_update,
    applying_then_allocating,
)
from ankommen.shared.events.contracts.assignment import NextCourseProposed, WithdrawalReason
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseErased,
    CasesMerged,
    ClosureReason,
    SurveyUpdated,
)
from ankommen.shared.events.contracts.progress import (
    CorrectionAction,
    CourseCompleted,
    CourseDiscontinued,
    DiscontinuationReason,
    ExamResultRecorded,
    ExamType,
    ParticipantEnrolled,
    ReportCorrected,
    ReportKind,
)
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel
from ankommen.shared.messaging.consumer import Delivery
from tests.assignment.unit.fake_county import (
    MANUAL,
    POLICY,
    TODAY,
    consumed,
    county,
    course,
    kinds,
    placement_of,
    published,
    registered,
    registration,
)
from tests.support.event_examples import decoded


def report(record, **fields):  # noqa: ANN001, ANN003, ANN201
    return {"pseudonym": record.pseudonym, "referral_code": record.referral_code,
            "course_id": record.course_id, "report_id": uuid.uuid4().hex, **fields}


async def placed_county(status: PlacementStatus = PlacementStatus.OFFERED):  # noqa: ANN201
    """A county with one person placed in course c-1, the placement in ``status``."""
    database = county()
    await published(database, course("c-1"))
    person = await registered(database, days_ago=20)
    record = replace(placement_of(database, person), status=status)
    database.tables.placements[record.placement_id] = record
    return database, person, record


async def test_registrations_wait_from_their_day_and_are_placed_in_one_allocation():
    database = county()
    await published(database, course("c-1", capacity=1))
    first, second = registration(days_ago=3), registration(days_ago=1)
    runs = database.tables.allocation_runs
    await consumed(database, first, second)
    assert database.tables.allocation_runs == runs + 1, "one allocation for the batch"
    assert placement_of(database, first.pseudonym).course_id == "c-1"
    assert database.tables.waiting[second.pseudonym].waiting_since == TODAY - timedelta(days=1)
    assert database.tables.waiting[second.pseudonym].reason == "courses_full"
    assert database.tables.cases[second.pseudonym].survey == second.survey


async def test_a_survey_update_changes_the_case_and_the_waiting_list():
    database = county()
    person = await registered(database)
    await consumed(database, SurveyUpdated(pseudonym=person, changes={"german_level": "A2"}))
    assert database.tables.cases[person].survey.german_level is GermanLevel.A2
    assert database.tables.waiting[person].german_level is GermanLevel.A2


async def test_events_before_their_case_are_parked_and_applied_on_its_registration():
    database = county()
    early = registration()
    await consumed(database, SurveyUpdated(pseudonym=early.pseudonym,
                                           changes={"german_level": "B1"}))
    assert database.tables.cases == {} and len(database.tables.parked) == 1
    await consumed(database, early)
    assert database.tables.parked == []
    assert database.tables.cases[early.pseudonym].survey.german_level is GermanLevel.B1


async def test_a_handler_does_not_commit_the_consumer_does():
    database = county()
    person = await registered(database)
    handle = applying_then_allocating(CASE_EVENTS, POLICY)
    async with database.uow() as uow:
        await handle(uow, [Delivery(decoded(SurveyUpdated(
            pseudonym=person, changes={"german_level": "B1"})), person)])
        await apply_survey_update(uow, decoded(SurveyUpdated(
            pseudonym=person, changes={"german_level": "B2"})))
    assert database.tables.cases[person].survey.german_level is GermanLevel.A1


async def test_a_closed_case_leaves_the_list_and_its_offer_is_withdrawn():
    database, person, record = await placed_county()
    since = len(database.published)
    await consumed(database, CaseClosed(pseudonym=person, closed_on=TODAY,
                                        reason=ClosureReason.MOVED_AWAY))
    assert database.tables.cases[person].closed and person not in database.tables.waiting
    assert placement_of(database, person).status is PlacementStatus.WITHDRAWN
    assert kinds(database, since)[0] == "placement_withdrawn.v1"
    assert database.published[since].data.reason is WithdrawalReason.CASE_CLOSED


async def test_an_enrolment_stays_when_the_case_closes():
    database, person, _ = await placed_county(PlacementStatus.ENROLLED)
    await consumed(database, CaseClosed(pseudonym=person, closed_on=TODAY,
                                        reason=ClosureReason.OTHER))
    assert placement_of(database, person).status is PlacementStatus.ENROLLED


async def test_an_erased_case_leaves_no_row_and_its_seat_is_free_again():
    database, person, _ = await placed_county()
    await consumed(database, CaseErased(pseudonym=person))
    assert person not in database.tables.cases and person not in database.tables.waiting
    assert all(record.pseudonym != person for record in database.tables.placements.values())
    assert database.forgotten == [person]


async def test_a_merge_moves_placements_and_the_earlier_place_to_the_surviving_case():
    database, merged, record = await placed_county()
    surviving = await registered(database, days_ago=2)
    await consumed(database, CasesMerged(surviving_pseudonym=surviving,
                                         merged_pseudonym=merged))
    assert merged not in database.tables.cases
    assert database.tables.placements[record.placement_id].pseudonym == surviving


async def test_participation_moves_the_placement_and_ignores_what_came_too_late():
    database, person, record = await placed_county(PlacementStatus.CONFIRMED)
    await consumed(database, ParticipantEnrolled(**report(record), started_on=TODAY))
    assert placement_of(database, person).status is PlacementStatus.ENROLLED
    await consumed(database, ReportCorrected(**report(record, corrects_report_id="r-1"),
                                             action=CorrectionAction.RETRACTED,
                                             original_kind=ReportKind.ENROLMENT))
    assert placement_of(database, person).status is PlacementStatus.CONFIRMED
    # An enrolment of a placement assignment withdrew meanwhile: the withdrawal wins.
    database.tables.placements[record.placement_id] = replace(
        record, status=PlacementStatus.WITHDRAWN)
    await consumed(database, ParticipantEnrolled(**report(record), started_on=TODAY))
    assert placement_of(database, person).status is PlacementStatus.WITHDRAWN


async def test_a_discontinuation_frees_the_seat():
    database, person, record = await placed_county(PlacementStatus.ENROLLED)
    await consumed(database, CourseDiscontinued(**report(record), discontinued_on=TODAY,
                                                reason=DiscontinuationReason.WORK))
    assert placement_of(database, person).status is PlacementStatus.DISCONTINUED


async def test_an_exam_result_sets_the_level_of_a_known_case_only():
    database, person, record = await placed_county(PlacementStatus.ENROLLED)
    exam = {"exam": ExamType.DTZ, "taken_on": TODAY, "passed": True}
    await consumed(database, ExamResultRecorded(**report(record), **exam,
                                                level_reached=GermanLevel.A2))
    assert database.tables.cases[person].survey.german_level is GermanLevel.A2
    stranger = replace(record, pseudonym=registration().pseudonym)
    await consumed(database, ExamResultRecorded(**report(stranger), **exam,
                                                level_reached=GermanLevel.B1))
    assert stranger.pseudonym not in database.tables.cases


async def test_a_completion_proposes_the_next_course_and_the_person_waits_for_it():
    database, person, record = await placed_county(PlacementStatus.ENROLLED)
    since = len(database.published)
    # Allocation by hand: the person stays on the list (else placed again at once).
    await consumed(database, CourseCompleted(**report(record), completed_on=TODAY,
                                             level_reached=GermanLevel.A2), policy=MANUAL)
    assert placement_of(database, person).status is PlacementStatus.COMPLETED
    assert database.tables.cases[person].previous_provider_id == record.provider_id
    [proposed] = database.events(NextCourseProposed)
    assert proposed.course_type is CourseType.GENERAL_INTEGRATION
    assert kinds(database, since)[0] == "next_course_proposed.v1"
    waiting = database.tables.waiting[person]
    assert waiting.waiting_since == TODAY
    assert waiting.wanted_course_type is CourseType.GENERAL_INTEGRATION
