"""RegisterArrival through the in-memory unit: what a registration stores and announces, the
duplicate warning that stops it, and staff's two decisions."""

from __future__ import annotations

import uuid

import pytest

from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.duplicates import SuspicionStatus
from ankommen.intake.service.register_arrival import (
    Decision,
    PossibleDuplicates,
    register_arrival,
)
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.events.contracts.intake import (
    ArrivalRecorded,
    CaseRegistered,
    ClosureReason,
    SurveyUpdated,
)
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.intake.unit.arrange import PROTECTION, REGISTERED_ON, STAFF, arrival, person, registered


def mohammed(**overrides: object):  # noqa: ANN201
    return person(**{"family_name": "Al-Hassan", "given_names": "Mohammed",
                     "birth_date": "1990-03-04", "file_numbers": [], **overrides})


async def test_a_new_case_is_stored_sealed_audited_and_announced_once_committed():
    uow = FakeUnitOfWork()
    async with uow:
        done = await register_arrival(uow, PROTECTION, arrival(mohammed()), STAFF)
    assert done.created and done.case.survey.age_years == 35
    database = uow.database
    assert database.cases == {done.case.case_id: done.case}
    assert b"Hassan" not in database.identities[done.case.case_id]
    assert database.blind_indexes[done.case.case_id]
    assert [(entry.action, entry.actor, entry.case_id) for entry in database.audit] == [
        (AuditAction.REGISTER, STAFF.subject, done.case.case_id)]
    assert uow.commits == 1
    assert [type(each.data) for each in uow.events] == [CaseRegistered, ArrivalRecorded]
    registered_event, fact = uow.events
    assert registered_event.key == registered_event.subject == done.case.pseudonym
    assert fact.key != done.case.pseudonym and fact.subject is None


async def test_a_likely_known_person_is_refused_with_the_candidates_and_nothing_is_written():
    database = FakeDatabase()
    first = await registered(database, mohammed())
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(PossibleDuplicates) as refused:
            await register_arrival(uow, PROTECTION, arrival(
                mohammed(family_name="Alhasan", given_names="Muhammad")), STAFF)
    assert [each.case_id for each in refused.value.candidates] == [first.case_id]
    assert list(database.cases) == [first.case_id]
    assert (uow.commits, uow.events, len(database.audit)) == (0, [], 1)


async def test_different_person_creates_the_case_and_records_the_decision():
    database = FakeDatabase()
    first = await registered(database, mohammed())
    uow = FakeUnitOfWork(database)
    async with uow:
        done = await register_arrival(uow, PROTECTION, arrival(
            mohammed(given_names="Muhammad"), decision=Decision.DIFFERENT_PERSON), STAFF)
    assert done.created and len(database.cases) == 2
    (suspicion,) = database.suspicions.values()
    assert (suspicion.case_id, suspicion.other_case_id) == (done.case.case_id, first.case_id)
    assert suspicion.status is SuspicionStatus.DIFFERENT_PERSON and suspicion.resolved_at
    assert uow.commits == 1


async def test_same_person_takes_the_new_spelling_keeps_the_old_as_alias_and_announces_changes():
    database = FakeDatabase()
    first = await registered(database, mohammed(), german_level="A1")
    uow = FakeUnitOfWork(database)
    async with uow:
        done = await register_arrival(uow, PROTECTION, arrival(
            mohammed(family_name="Alhasan"), decision=Decision.SAME_PERSON, existing=first,
            german_level="B1"), STAFF)
    assert not done.created and done.case.case_id == first.case_id
    assert len(database.cases) == 1 and uow.write_turns == 1
    wrapped, ciphertext = database.data_keys[first.case_id][1], database.identities[first.case_id]
    assert PROTECTION.vault.open(first.case_id, wrapped, ciphertext).family_name == "Alhasan"
    (alias,) = database.aliases
    assert PROTECTION.vault.open_alias(first.case_id, wrapped, alias.position,
                                       alias.ciphertext).family_name == "Al-Hassan"
    (update,) = uow.published(SurveyUpdated)
    assert isinstance(update, SurveyUpdated) and update.changes == {"german_level": "B1"}
    assert database.cases[first.case_id].survey.german_level == "B1"
    assert database.audit[-1].action == AuditAction.UPDATE_IDENTITY
    assert uow.commits == 1


async def test_same_person_without_changed_answers_announces_nothing():
    database = FakeDatabase()
    first = await registered(database, mohammed())
    uow = FakeUnitOfWork(database)
    async with uow:
        await register_arrival(uow, PROTECTION, arrival(
            mohammed(), decision=Decision.SAME_PERSON, existing=first), STAFF)
    assert uow.events == [] and uow.commits == 1


@pytest.mark.parametrize(("existing", "refusal"), [
    ("missing", DomainError), ("unknown", NotFound), ("closed", Conflict)])
async def test_same_person_needs_an_open_existing_case_and_writes_nothing_otherwise(
        existing, refusal):
    database = FakeDatabase()
    first = await registered(database, mohammed())
    if existing == "closed":
        database.cases[first.case_id].close(REGISTERED_ON, ClosureReason.MOVED_AWAY)
    before = (dict(database.identities), len(database.audit))
    command = arrival(mohammed(family_name="Alhasan"), decision=Decision.SAME_PERSON,
                      existing=None if existing == "missing" else first)
    if existing == "unknown":
        command = type(command)(**{**command.__dict__, "existing_case_id": uuid.uuid4()})
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(refusal):
            await register_arrival(uow, PROTECTION, command, STAFF)
    assert (dict(database.identities), len(database.audit)) == before
    assert (uow.commits, uow.events, database.aliases) == (0, [], [])


async def test_a_birth_date_after_the_day_of_intake_is_refused():
    uow = FakeUnitOfWork()
    async with uow:
        with pytest.raises(DomainError) as refused:
            await register_arrival(uow, PROTECTION, arrival(
                mohammed(birth_date="2026-03-03")), STAFF)
    assert refused.value.field == "identity.birth_date"
    assert (uow.commits, uow.database.cases) == (0, {})
