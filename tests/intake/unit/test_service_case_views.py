"""What the case work pages show of people, through the in-memory unit: every person shown is
an audited read, committed with the page's answer — even when the answer in the end shows
nobody (an open pair of which one side is gone)."""

from __future__ import annotations

import uuid
from datetime import date

from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.domain.duplicates import Candidate, DuplicateSuspected, SuspicionStatus
from ankommen.intake.service import case_views
from ankommen.intake.service.placements import record_course, record_placement
from ankommen.shared.events.contracts.assignment import CoursePublished
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.intake.unit.arrange import (
    PROTECTION,
    STAFF,
    confirmed,
    county_course,
    handled,
    person,
    registered,
)


def reads(database: FakeDatabase, action: AuditAction) -> list[uuid.UUID | None]:
    return [entry.case_id for entry in database.audit if entry.action == action]


async def open_suspicion(database: FakeDatabase, left: uuid.UUID, right: uuid.UUID
                         ) -> DuplicateSuspected:
    async with FakeUnitOfWork(database) as uow:
        suspicion = DuplicateSuspected(left, right, 0.9, uow.clock.now())
        await uow.suspicions.add(suspicion)
        await uow.commit()
    return suspicion


async def test_a_search_by_name_shows_each_person_found_with_the_registering_office():
    database = FakeDatabase()
    who = person(family_name="Kovalenko", given_names="Olena", birth_date="1985-07-01",
                 file_numbers=[])
    case = await registered(database, who)
    uow = FakeUnitOfWork(database)
    async with uow:
        shown = await case_views.search_by_name(uow, PROTECTION, "Kowalenko", "Olena",
                                                date(1985, 7, 1), STAFF, Purpose.CORRECTION)
    assert [(each.case_id, each.identity, each.office) for each in shown] == [
        (case.case_id, who, STAFF.subject)]
    assert reads(database, AuditAction.SEARCH) == [case.case_id] and uow.commits == 1


async def test_a_search_that_finds_nobody_is_audited_all_the_same():
    uow = FakeUnitOfWork()
    async with uow:
        shown = await case_views.search_by_name(uow, PROTECTION, "Niemand", "Keiner",
                                                date(1970, 1, 1), STAFF, Purpose.COUNSELLING)
    assert shown == [] and reads(uow.database, AuditAction.SEARCH) == [None]
    assert uow.commits == 1


async def test_a_search_by_file_number_finds_the_number_written_otherwise():
    database = FakeDatabase()
    case = await registered(database, person(file_numbers=[
        {"kind": "foreigners_office", "number": "AB-123/456"}]))
    uow = FakeUnitOfWork(database)
    async with uow:
        shown = await case_views.search_by_file_number(uow, PROTECTION, "ab 123 456", STAFF,
                                                       Purpose.CORRECTION)
    assert [each.case_id for each in shown] == [case.case_id] and uow.commits == 1


async def test_the_duplicate_warning_shows_the_candidates_audited_as_duplicate_review():
    database = FakeDatabase()
    case, erased = await registered(database), await registered(database)
    del database.identities[erased.case_id]
    uow = FakeUnitOfWork(database)
    async with uow:
        shown = await case_views.review_candidates(uow, PROTECTION, [
            Candidate(case.case_id, 0.9, case.registered_on),
            Candidate(erased.case_id, 0.8, erased.registered_on)], STAFF)
    assert [(each.case_id, each.score) for each in shown] == [(case.case_id, 0.9)]
    assert reads(database, AuditAction.READ_IDENTITY) == [case.case_id]
    assert database.audit[-1].purpose == Purpose.DUPLICATE_REVIEW and uow.commits == 1


async def test_the_review_queue_shows_open_pairs_whose_both_sides_are_readable():
    database = FakeDatabase()
    one, two, three = [await registered(database) for _ in range(3)]
    shown_pair = await open_suspicion(database, one.case_id, two.case_id)
    await open_suspicion(database, two.case_id, three.case_id)
    del database.identities[three.case_id]
    uow = FakeUnitOfWork(database)
    async with uow:
        pairs = await case_views.open_pairs(uow, PROTECTION, STAFF)
    assert [(pair.suspicion.suspicion_id, pair.left.case_id, pair.right.case_id)
            for pair in pairs] == [(shown_pair.suspicion_id, one.case_id, two.case_id)]
    assert uow.commits == 1


async def test_an_open_pair_with_one_side_gone_shows_nothing_but_keeps_the_audited_read():
    database = FakeDatabase()
    one, gone = await registered(database), await registered(database)
    suspicion = await open_suspicion(database, one.case_id, gone.case_id)
    del database.identities[gone.case_id]
    uow = FakeUnitOfWork(database)
    async with uow:
        assert await case_views.open_pair(uow, PROTECTION, suspicion.suspicion_id,
                                          STAFF) is None
    assert reads(database, AuditAction.READ_IDENTITY) == [one.case_id]
    assert uow.commits == 1


async def test_a_pair_no_longer_open_is_not_shown_and_nothing_is_audited():
    database = FakeDatabase()
    one, two = await registered(database), await registered(database)
    suspicion = await open_suspicion(database, one.case_id, two.case_id)
    database.suspicions[suspicion.suspicion_id].resolve(SuspicionStatus.DIFFERENT_PERSON,
                                                        suspicion.detected_at)
    uow = FakeUnitOfWork(database)
    async with uow:
        assert await case_views.open_pair(uow, PROTECTION, suspicion.suspicion_id,
                                          STAFF) is None
        assert await case_views.open_pair(uow, PROTECTION, uuid.uuid4(), STAFF) is None
    assert reads(database, AuditAction.READ_IDENTITY) == [] and uow.commits == 0


async def test_the_case_page_shows_placements_with_their_course_and_the_history():
    database = FakeDatabase()
    case = await registered(database)
    course = county_course()
    await handled(database, record_course, CoursePublished(course=course))
    await handled(database, record_placement, confirmed(case, "REF-0001", course))
    uow = FakeUnitOfWork(database)
    async with uow:
        overview = await case_views.case_overview(uow, PROTECTION, case.case_id, STAFF,
                                                  Purpose.COUNSELLING)
    (placement,) = overview.placements
    assert placement.placement.status is PlacementStatus.CONFIRMED
    assert placement.course is not None and placement.course.course_id == course.course_id
    assert placement.details is not None and placement.details.title == course.title
    assert overview.office == STAFF.subject
    assert [entry.action for entry in overview.history] == [
        AuditAction.READ_IDENTITY, AuditAction.REGISTER]
    assert uow.commits == 1


async def test_a_merged_case_leads_to_its_survivor_and_reading_the_case_alone_audits_nothing():
    database = FakeDatabase()
    survivor, merged = await registered(database), await registered(database)
    suspicion = await open_suspicion(database, survivor.case_id, merged.case_id)
    database.suspicions[suspicion.suspicion_id].resolve(SuspicionStatus.MERGED,
                                                        suspicion.detected_at)
    del database.cases[merged.case_id]
    uow = FakeUnitOfWork(database)
    async with uow:
        assert await case_views.merged_into_survivor(uow, merged.case_id) == survivor.case_id
        assert await case_views.merged_into_survivor(uow, uuid.uuid4()) is None
        assert await case_views.current_case(uow, survivor.case_id) == survivor
    assert len(database.audit) == 2 and uow.commits == 0
