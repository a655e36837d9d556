"""The two batch jobs over every identity, through in-memory units: re-wrapping the data keys
under a new master key and re-computing the blind indexes, one committed unit per batch."""

from __future__ import annotations

import os
from dataclasses import replace

from ankommen.intake.adapters.crypto import IdentityVault
from ankommen.intake.config import IntakeSettings
from ankommen.intake.service import reindex_identities, rotate_master_key
from tests.intake.fakes import FakeDatabase
from tests.intake.unit.arrange import PROTECTION, factory, person, registered


async def test_rotation_rewraps_every_data_key_in_batches_and_leaves_identities_readable(
        monkeypatch):
    monkeypatch.setattr(rotate_master_key, "BATCH", 2)
    database = FakeDatabase()
    people = {(await registered(database, who)).case_id: who
              for who in (person(), person(), person())}
    ciphertexts = dict(database.identities)
    old_key = IntakeSettings().current_master_key()
    rotated = replace(PROTECTION, vault=IdentityVault(os.urandom(32), [old_key]))

    assert await rotate_master_key.rotate_master_key(factory(database), rotated) == 3
    assert {key_id for key_id, _ in database.data_keys.values()} == {
        rotated.vault.current_key_id}
    assert database.identities == ciphertexts, "the identities themselves are not touched"
    for case_id, who in people.items():
        assert rotated.vault.open(case_id, database.data_keys[case_id][1],
                                  database.identities[case_id]) == who
    assert await rotate_master_key.rotate_master_key(factory(database), rotated) == 0


async def test_reindexing_replaces_indexes_written_under_earlier_keys(monkeypatch):
    monkeypatch.setattr(reindex_identities, "BATCH", 2)
    database = FakeDatabase()
    for _ in range(3):
        await registered(database)
    current = {case_id: set(digests) for case_id, digests in database.blind_indexes.items()}
    for case_id in database.blind_indexes:  # an earlier release's keys
        database.blind_indexes[case_id] = {"stale"}

    assert await reindex_identities.reindex_identities(factory(database), PROTECTION) == 3
    assert database.blind_indexes == current
