"""Aliases of an identity (issue 17 item 5): the spelling a case had before staff confirmed
"same person", or the spelling of a case merged into it, still finds the case; it is shown in
the case and the data-subject export, is compared by later checks, is shredded by erasure,
bounded per case and re-indexed (real database)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select, update

from ankommen.intake.adapters.crypto import UndecryptableIdentity
from ankommen.intake.adapters.tables import blind_indexes, data_keys, identity_aliases
from ankommen.intake.domain.identity import MAX_ALIASES
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.reindex_identities import reindex_identities
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)
READ = {"purpose": "counselling"}


def zahra(**overrides):  # noqa: ANN003, ANN201
    """Spelling A of a person; the model sees no likeness between it and :func:`leyla`."""
    return identity(**{"family_name": "Ahmadi", "given_names": "Zahra",
                       "birth_date": "1994-06-17", "file_numbers": [], **overrides})


def leyla(**overrides):  # noqa: ANN003, ANN201
    """Spelling B of the same person (say, from a passport found later)."""
    return zahra(**{"family_name": "Karimi", "given_names": "Leyla", **overrides})


async def register(intake, person: dict, **resolution) -> dict:  # noqa: ANN001, ANN003
    body = registration(person=person)
    if resolution:
        body["resolution"] = resolution
    response = await intake.client.post("/cases", json=body, headers=STAFF)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def confirm_same_person(intake, case_id: str, person: dict) -> None:  # noqa: ANN001
    await register(intake, person, decision="same_person", case_id=case_id)


async def test_spelling_replaced_by_same_person_still_finds_the_case(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, zahra())
        await confirm_same_person(intake, case["case_id"], leyla())
        # A variant of the old spelling, which only the old spelling matches.
        response = await intake.client.post(
            "/cases", json=registration(person=zahra(family_name="Ahmady", given_names="Sahra")),
            headers=STAFF)
        assert response.status_code == 409, response.text
        assert [each["case_id"] for each in response.json()["candidates"]] == [case["case_id"]]
        assert "Ahmadi" not in response.text and "Karimi" not in response.text
        read = (await intake.client.get(f"/cases/{case['case_id']}", params=READ,
                                        headers=STAFF)).json()
        assert read["identity"]["family_name"] == "Karimi"
        assert [(each["family_name"], each["given_names"]) for each in read["aliases"]] == [
            ("Ahmadi", "Zahra")]
        exported = (await intake.client.get(f"/cases/{case['case_id']}/export",
                                            headers=STAFF)).json()
        assert exported["case"]["aliases"] == read["aliases"]
        async with intake.runtime.sessions() as session:
            sealed = await session.scalar(select(identity_aliases.c.ciphertext))
        assert b"Ahmadi" not in sealed and b"1994" not in sealed
        # Registered anyway, the variant is found by a later check through the alias too.
        other = await register(intake, zahra(family_name="Ahmady", given_names="Sahra"),
                               decision="different_person")
        suspected = await intake.client.post("/duplicates", headers=STAFF, json={
            "case_id": case["case_id"], "other_case_id": other["case_id"]})
        assert suspected.json()["score"] > 0.9


async def test_merge_keeps_the_erased_cases_spelling_as_alias(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = await register(intake, leyla())
        second = await register(intake, zahra())  # no likeness: registered as another case
        suspected = (await intake.client.post("/duplicates", headers=STAFF, json={
            "case_id": first["case_id"], "other_case_id": second["case_id"]})).json()
        merged = await intake.client.post(f"/duplicates/{suspected['suspicion_id']}/merge",
                                          headers=STAFF,
                                          json={"surviving_case_id": first["case_id"]})
        assert merged.status_code == 200, merged.text
        read = (await intake.client.get(f"/cases/{first['case_id']}", params=READ,
                                        headers=STAFF)).json()
        assert [each["family_name"] for each in read["aliases"]] == ["Ahmadi"]
        response = await intake.client.post("/cases", json=registration(person=zahra()),
                                            headers=STAFF)
        assert response.status_code == 409, response.text
        assert [each["case_id"] for each in response.json()["candidates"]] == [
            first["case_id"]]


async def test_erasure_leaves_no_readable_alias(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, zahra())
        await confirm_same_person(intake, case["case_id"], leyla())
        async with intake.runtime.sessions() as session:  # as a backup would hold them
            position, backup = (await session.execute(
                select(identity_aliases.c.position, identity_aliases.c.ciphertext))).one()
            wrapped_key = await session.scalar(select(data_keys.c.wrapped_key))
        protection = IdentityProtection.from_settings(intake.runtime.settings)
        case_id = uuid.UUID(case["case_id"])
        assert protection.vault.open_alias(case_id, wrapped_key, position,
                                           backup).family_name == "Ahmadi"
        assert (await intake.client.delete(f"/cases/{case_id}", headers=STAFF)
                ).status_code == 204

        async with intake.runtime.sessions() as session:
            for table in (identity_aliases, data_keys, blind_indexes):
                assert await session.scalar(select(func.count()).select_from(table)) == 0
        with pytest.raises(UndecryptableIdentity):
            protection.vault.open_alias(case_id, None, position, backup)
        search = await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": "Ahmadi", "given_names": "Zahra", "birth_date": "1994-06-17"})
        assert search.json()["matches"] == []


async def test_aliases_are_bounded_the_oldest_dropped(kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        case = await register(intake, zahra(given_names="Name0"))
        for number in range(1, MAX_ALIASES + 2):
            await confirm_same_person(intake, case["case_id"],
                                      zahra(given_names=f"Name{number}"))
        read = (await intake.client.get(f"/cases/{case['case_id']}", params=READ,
                                        headers=STAFF)).json()
        assert [each["given_names"] for each in read["aliases"]] == [
            f"Name{number}" for number in range(1, MAX_ALIASES + 1)]


async def test_reindexing_covers_aliases(kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        case = await register(intake, zahra())
        await confirm_same_person(intake, case["case_id"], leyla())
        async with intake.runtime.sessions() as session:  # indexes of an earlier release
            await session.execute(update(blind_indexes).values(
                digest=func.upper(blind_indexes.c.digest)))
            await session.commit()
        await reindex_identities(intake.runtime.uow,
                                 IdentityProtection.from_settings(intake.runtime.settings))
        response = await intake.client.post("/cases", json=registration(person=zahra()),
                                            headers=STAFF)
        assert response.status_code == 409, response.text
        assert [each["case_id"] for each in response.json()["candidates"]] == [case["case_id"]]


async def test_two_decisions_about_one_case_at_once_both_keep_their_spelling(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, zahra())
        decisions = [registration(person=person) for person in (leyla(), zahra(
            given_names="Sahar"))]
        for body in decisions:
            body["resolution"] = {"decision": "same_person", "case_id": case["case_id"]}
        answers = await asyncio.gather(*(intake.client.post("/cases", json=body, headers=STAFF)
                                         for body in decisions))
        assert [answer.status_code for answer in answers] == [200, 200]
        read = (await intake.client.get(f"/cases/{case['case_id']}", params=READ,
                                        headers=STAFF)).json()
        assert len(read["aliases"]) == 2
