"""Everyday case work through the in-memory unit: reads and searches audited, corrections
and closures announced, erasure and the data-subject export — and refusals that write
nothing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus
from ankommen.intake.service import case_work
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseErased,
    ClosureReason,
    SurveyUpdated,
)
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.intake.unit.arrange import PROTECTION, REGISTERED_ON, STAFF, person, registered


async def test_reading_a_case_opens_its_identity_and_is_audited_with_the_purpose():
    database = FakeDatabase()
    who = person(family_name="Kovalenko")
    case = await registered(database, who)
    uow = FakeUnitOfWork(database)
    async with uow:
        record = await case_work.read_case(uow, PROTECTION, case.case_id, STAFF,
                                           Purpose.COUNSELLING)
    assert record.identity == who and record.case == case and record.aliases == []
    entry = database.audit[-1]
    assert (entry.action, entry.case_id, entry.purpose) == (
        AuditAction.READ_IDENTITY, case.case_id, Purpose.COUNSELLING)
    assert uow.commits == 1


async def test_reading_an_unknown_case_is_refused_and_not_audited():
    uow = FakeUnitOfWork()
    async with uow:
        with pytest.raises(NotFound):
            await case_work.read_case(uow, PROTECTION, uuid.uuid4(), STAFF,
                                      Purpose.COUNSELLING)
    assert (uow.commits, uow.database.audit) == (0, [])


async def test_a_search_finds_a_spelling_variant_and_is_audited_without_a_case():
    database = FakeDatabase()
    case = await registered(database, person(family_name="Al-Hassan", given_names="Mohammed",
                                             birth_date="1990-03-04", file_numbers=[]))
    uow = FakeUnitOfWork(database)
    async with uow:
        found = await case_work.search_person(uow, PROTECTION, "Alhasan", "Muhammad",
                                              date(1990, 3, 4), STAFF, Purpose.COUNSELLING)
    assert [each.case_id for each in found] == [case.case_id]
    assert (database.audit[-1].action, database.audit[-1].case_id) == (AuditAction.SEARCH, None)
    assert uow.commits == 1


async def test_a_correction_announces_only_the_changed_fields():
    database = FakeDatabase()
    case = await registered(database, german_level="A1", schooling_years=12)
    uow = FakeUnitOfWork(database)
    async with uow:
        _, changes = await case_work.update_survey(
            uow, case.case_id, {"german_level": "B1", "schooling_years": 12}, STAFF)
    assert changes == {"german_level": "B1"}
    (event,) = uow.published(SurveyUpdated)
    assert isinstance(event, SurveyUpdated) and event.changes == changes
    assert database.cases[case.case_id].survey.german_level == "B1"
    assert database.audit[-1].action == AuditAction.UPDATE_SURVEY and uow.commits == 1


async def test_an_unchanged_survey_writes_and_announces_nothing():
    database = FakeDatabase()
    case = await registered(database, german_level="A1")
    uow = FakeUnitOfWork(database)
    async with uow:
        _, changes = await case_work.update_survey(uow, case.case_id, {"german_level": "A1"},
                                                   STAFF)
    assert changes == {} and (uow.commits, uow.events, len(database.audit)) == (0, [], 1)


@pytest.mark.parametrize("answers", [{"age_years": 40}, {"german_level": "Z9"}])
async def test_a_correction_of_the_age_or_to_an_invalid_answer_is_refused(answers):
    database = FakeDatabase()
    case = await registered(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(DomainError):
            await case_work.update_survey(uow, case.case_id, answers, STAFF)
    assert (uow.commits, uow.events, database.cases[case.case_id]) == (0, [], case)


async def test_closing_announces_the_closure_and_a_closed_case_takes_no_corrections():
    database = FakeDatabase()
    case = await registered(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        await case_work.close_case(uow, case.case_id, REGISTERED_ON, ClosureReason.MOVED_AWAY,
                                   STAFF)
    (closed,) = uow.published(CaseClosed)
    assert isinstance(closed, CaseClosed) and closed.reason is ClosureReason.MOVED_AWAY
    assert database.cases[case.case_id].closed_on == REGISTERED_ON
    again = FakeUnitOfWork(database)
    async with again:
        with pytest.raises(Conflict):
            await case_work.close_case(again, case.case_id, REGISTERED_ON,
                                       ClosureReason.OTHER, STAFF)
        with pytest.raises(Conflict):
            await case_work.update_survey(again, case.case_id, {"german_level": "B2"}, STAFF)
    assert (again.commits, again.events) == (0, [])


async def test_a_closure_before_the_registration_is_refused():
    database = FakeDatabase()
    case = await registered(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(Conflict):
            await case_work.close_case(uow, case.case_id, date(2026, 3, 1),
                                       ClosureReason.OTHER, STAFF)
    assert database.cases[case.case_id].closed_on is None and uow.commits == 0


async def test_erasure_shreds_the_person_forgets_whom_the_log_concerned_and_tells_everyone():
    database = FakeDatabase()
    case, other = await registered(database), await registered(database)
    suspicion = DuplicateSuspected(case.case_id, other.case_id, 0.9, REGISTERED_ON_AT)
    database.suspicions[suspicion.suspicion_id] = suspicion
    async with FakeUnitOfWork(database) as setup:
        await setup.placements.save(referral_code="REF-1", pseudonym=case.pseudonym,
                                    provider_id="vhs-a", course_id="course-a",
                                    status=PlacementStatus.CONFIRMED)
        await setup.commit()
    uow = FakeUnitOfWork(database)
    async with uow:
        await case_work.erase_case(uow, case.case_id, STAFF)
    assert case.case_id not in database.cases and case.case_id not in database.identities
    assert case.case_id not in database.data_keys and case.case_id not in database.blind_indexes
    assert database.suspicions == {} and database.placements == {}
    assert all(entry.case_id != case.case_id for entry in database.audit)
    assert (database.audit[-1].action, database.audit[-1].purpose) == (
        AuditAction.ERASE, Purpose.DATA_SUBJECT_REQUEST)
    assert [type(each.data) for each in uow.events] == [CaseErased]
    assert uow.forgotten == [case.pseudonym] and uow.commits == 1
    assert other.case_id in database.cases


async def test_the_export_holds_the_record_suspicions_history_and_disclosures():
    database = FakeDatabase()
    case, other = await registered(database), await registered(database)
    suspicion = DuplicateSuspected(case.case_id, other.case_id, 0.9, REGISTERED_ON_AT)
    database.suspicions[suspicion.suspicion_id] = suspicion
    async with FakeUnitOfWork(database) as setup:
        await setup.audit_entries.record(actor="vhs-a", role="provider",
                                         action=AuditAction.DISCLOSE_CONTACT, case_id=case.case_id,
                                         recipient="vhs-a", disclosed="family_name,given_names")
        await setup.commit()
    uow = FakeUnitOfWork(database)
    async with uow:
        exported = await case_work.export_case(uow, PROTECTION, case.case_id, STAFF)
    assert exported.record.case == case
    assert [each.suspicion_id for each in exported.suspicions] == [suspicion.suspicion_id]
    assert [entry.action for entry in exported.audit] == [
        AuditAction.EXPORT, AuditAction.READ_IDENTITY, AuditAction.DISCLOSE_CONTACT,
        AuditAction.REGISTER]
    assert [(each.recipient, each.fields) for each in exported.disclosures] == [
        ("vhs-a", ("family_name", "given_names"))]
    assert uow.commits == 1


async def test_the_export_lists_disclosures_made_under_a_case_merged_into_this_one():
    database = FakeDatabase()
    case, merged = await registered(database), await registered(database)
    suspicion = DuplicateSuspected(case.case_id, merged.case_id, 0.9, REGISTERED_ON_AT)
    suspicion.resolve(SuspicionStatus.MERGED, REGISTERED_ON_AT)
    database.suspicions[suspicion.suspicion_id] = suspicion
    async with FakeUnitOfWork(database) as setup:
        await setup.audit_entries.record(actor="vhs-b", role="provider",
                                         action=AuditAction.DISCLOSE_CONTACT,
                                         case_id=merged.case_id, recipient="vhs-b",
                                         disclosed="family_name")
        await setup.cases.remove(merged.case_id)
        await setup.commit()
    async with FakeUnitOfWork(database) as uow:
        exported = await case_work.export_case(uow, PROTECTION, case.case_id, STAFF)
    assert [each.recipient for each in exported.disclosures] == ["vhs-b"]


REGISTERED_ON_AT = FakeUnitOfWork().clock.now()
