"""Duplicates found after registration, through the in-memory unit: suspecting, scanning,
dismissing and merging — and the refusals that write nothing."""

from __future__ import annotations

import uuid

import pytest

from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.domain.duplicates import SuspicionStatus
from ankommen.intake.domain.identity import Identity
from ankommen.intake.service import duplicates
from ankommen.shared.errors import Conflict, DomainError, NotFound
from ankommen.shared.events.contracts.intake import CasesMerged
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.intake.unit.arrange import PROTECTION, STAFF, person, registered


def mohammed(**overrides: object) -> Identity:
    return person(**{"family_name": "Al-Hassan", "given_names": "Mohammed",
                     "birth_date": "1990-03-04", "file_numbers": [], **overrides})


async def alike_pair(database: FakeDatabase) -> tuple[uuid.UUID, uuid.UUID]:
    """Two cases likely of one person, no suspicion recorded between them (as after a
    release that folds spellings better)."""
    one = await registered(database, mohammed())
    two = await registered(database, mohammed(family_name="Alhasan", given_names="Muhammad"))
    database.suspicions.clear()
    return one.case_id, two.case_id


async def test_a_suspicion_is_scored_stored_open_and_audited():
    database = FakeDatabase()
    one, two = await alike_pair(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        suspicion = await duplicates.suspect_duplicate(uow, PROTECTION, one, two, STAFF)
    assert database.suspicions == {suspicion.suspicion_id: suspicion}
    assert suspicion.status is SuspicionStatus.OPEN and suspicion.score >= 0.8
    assert database.audit[-1].action == AuditAction.SUSPECT_DUPLICATE and uow.commits == 1


@pytest.mark.parametrize("other", ["same", "unknown"])
async def test_a_suspicion_of_a_case_with_itself_or_an_unknown_case_is_refused(other):
    database = FakeDatabase()
    case = await registered(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(DomainError if other == "same" else NotFound):
            await duplicates.suspect_duplicate(
                uow, PROTECTION, case.case_id,
                case.case_id if other == "same" else uuid.uuid4(), STAFF)
    assert (database.suspicions, uow.commits) == ({}, 0)


async def test_a_scan_records_alike_pairs_once_and_skips_decided_ones():
    database = FakeDatabase()
    one, two = await alike_pair(database)
    uow = FakeUnitOfWork(database)
    async with uow:
        (found,) = await duplicates.scan_for_duplicates(uow, PROTECTION, STAFF)
    assert {found.case_id, found.other_case_id} == {one, two}
    assert found.status is SuspicionStatus.OPEN and uow.commits == 1
    assert database.audit[-1].action == AuditAction.SCAN_DUPLICATES
    again = FakeUnitOfWork(database)
    async with again:
        assert await duplicates.scan_for_duplicates(again, PROTECTION, STAFF) == []
    assert len(database.suspicions) == 1


async def test_a_dismissed_suspicion_is_resolved_and_cannot_be_resolved_again():
    database = FakeDatabase()
    one, two = await alike_pair(database)
    async with FakeUnitOfWork(database) as uow:
        suspicion = await duplicates.suspect_duplicate(uow, PROTECTION, one, two, STAFF)
    uow = FakeUnitOfWork(database)
    async with uow:
        await duplicates.dismiss_duplicate(uow, suspicion.suspicion_id, STAFF)
    stored = database.suspicions[suspicion.suspicion_id]
    assert stored.status is SuspicionStatus.DIFFERENT_PERSON and stored.resolved_at
    assert database.audit[-1].action == AuditAction.DISMISS_DUPLICATE
    again = FakeUnitOfWork(database)
    async with again:
        with pytest.raises(Conflict):
            await duplicates.dismiss_duplicate(again, suspicion.suspicion_id, STAFF)
        with pytest.raises(NotFound):
            await duplicates.dismiss_duplicate(again, uuid.uuid4(), STAFF)
    assert again.commits == 0


async def test_a_merge_keeps_the_survivor_with_the_others_spelling_and_moves_its_placements():
    database = FakeDatabase()
    survivor, merged = await alike_pair(database)
    merged_case = database.cases[merged]
    async with FakeUnitOfWork(database) as uow:
        suspicion = await duplicates.suspect_duplicate(uow, PROTECTION, survivor, merged,
                                                       STAFF)
        await uow.placements.save(referral_code="REF-1", pseudonym=merged_case.pseudonym,
                                  provider_id="vhs-a", course_id="course-a",
                                  status=PlacementStatus.CONFIRMED)
        await uow.commit()
    uow = FakeUnitOfWork(database)
    async with uow:
        await duplicates.merge_duplicate(uow, PROTECTION, suspicion.suspicion_id, survivor,
                                         STAFF)
    assert list(database.cases) == [survivor] and merged not in database.identities
    assert database.suspicions[suspicion.suspicion_id].status is SuspicionStatus.MERGED
    assert database.placements["REF-1"].pseudonym == database.cases[survivor].pseudonym
    wrapped = database.data_keys[survivor][1]
    kept = [PROTECTION.vault.open_alias(survivor, wrapped, each.position, each.ciphertext)
            for each in database.aliases]
    assert [(each.family_name, each.given_names) for each in kept] == [("Alhasan", "Muhammad")]
    (event,) = uow.events
    assert isinstance(event.data, CasesMerged) and event.key == merged_case.pseudonym
    assert event.data.surviving_pseudonym == database.cases[survivor].pseudonym
    assert database.audit[-1].action == AuditAction.MERGE and uow.commits == 1


async def test_a_merge_into_a_case_outside_the_pair_is_refused_and_changes_nothing():
    database = FakeDatabase()
    one, two = await alike_pair(database)
    async with FakeUnitOfWork(database) as uow:
        suspicion = await duplicates.suspect_duplicate(uow, PROTECTION, one, two, STAFF)
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(DomainError):
            await duplicates.merge_duplicate(uow, PROTECTION, suspicion.suspicion_id,
                                             uuid.uuid4(), STAFF)
    assert set(database.cases) == {one, two} and (uow.commits, uow.events) == (0, [])
    assert database.suspicions[suspicion.suspicion_id].status is SuspicionStatus.OPEN
