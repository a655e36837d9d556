"""Case work at intake: search, audited reads, survey corrections, closing, the data-subject
export, erasure by crypto-shredding, later-found duplicates merged, and the audit log."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from ankommen.intake.adapters.crypto import UndecryptableIdentity
from ankommen.intake.adapters.tables import blind_indexes, data_keys, identities
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.intake.integration.test_registration_and_duplicates import outbox_events
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)
ADMIN = token(Role.ADMIN)


async def register(intake, **person) -> dict:  # noqa: ANN001, ANN003
    response = await intake.client.post("/cases", json=registration(person=identity(**person)),
                                        headers=STAFF)
    assert response.status_code == 201, response.text
    return response.json()


async def test_search_finds_spelling_variants_without_disclosing_identity(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, family_name="Kovalenko", given_names="Tetiana",
                              birth_date="1979-09-14")
        await register(intake, family_name="Kovalchuk", given_names="Iryna",
                       birth_date="1979-09-14")
        response = await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": "Коваленко", "given_names": "Tetjana", "birth_date": "1979-09-14"})
        assert response.status_code == 200
        assert [match["case_id"] for match in response.json()["matches"]] == [case["case_id"]]
        assert "Kovalenko" not in response.text


async def test_reading_a_case_is_audited_with_who_when_and_purpose(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, family_name="Yilmaz", given_names="Mehmet")
        response = await intake.client.get(f"/cases/{case['case_id']}",
                                           params={"purpose": "counselling"}, headers=STAFF)
        assert response.status_code == 200
        assert response.json()["identity"]["family_name"] == "Yilmaz"
        missing_purpose = await intake.client.get(f"/cases/{case['case_id']}", headers=STAFF)
        assert missing_purpose.status_code == 422
        audit = await intake.client.get("/audit", params={"case_id": case["case_id"]},
                                        headers=ADMIN)
        reads = [entry for entry in audit.json() if entry["action"] == "read_identity"]
        assert len(reads) == 1
        assert reads[0]["actor"] == "test" and reads[0]["role"] == "intake_staff"
        assert reads[0]["purpose"] == "counselling" and reads[0]["at"]
        assert (await intake.client.get("/audit", headers=STAFF)).status_code == 403
        assert (await intake.client.get(f"/cases/{case['case_id']}",
                                        params={"purpose": "counselling"},
                                        headers=token(Role.COORDINATOR))).status_code == 403
        assert (await intake.client.get("/audit")).status_code == 401


async def test_survey_update_announces_only_the_changed_fields(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake)
        response = await intake.client.patch(
            f"/cases/{case['case_id']}/survey", headers=STAFF,
            json={"german_level": "B1", "region_key": case["survey"]["region_key"]})
        assert response.status_code == 200, response.text
        assert response.json()["changed_fields"] == ["german_level"]
        assert await outbox_events(intake, "ankommen.intake.survey_updated.v1") == [
            {"pseudonym": case["pseudonym"], "changes": {"german_level": "B1"}}]
        inconsistent = await intake.client.patch(
            f"/cases/{case['case_id']}/survey", headers=STAFF,
            json={"course_entitlement": "entitled"})
        assert inconsistent.status_code == 400
        assert inconsistent.json()["errors"][0]["field"] == "survey"
        derived = await intake.client.patch(f"/cases/{case['case_id']}/survey", headers=STAFF,
                                            json={"age_years": 20})
        assert derived.status_code == 422


async def test_closed_case_announces_closure_and_refuses_corrections(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake)
        closed = await intake.client.post(f"/cases/{case['case_id']}/close", headers=STAFF,
                                          json={"reason": "moved_away"})
        assert closed.status_code == 200 and closed.json()["closure_reason"] == "moved_away"
        events = await outbox_events(intake, "ankommen.intake.case_closed.v1")
        assert events[0]["pseudonym"] == case["pseudonym"]
        again = await intake.client.post(f"/cases/{case['case_id']}/close", headers=STAFF,
                                         json={"reason": "other"})
        assert again.status_code == 409
        update = await intake.client.patch(f"/cases/{case['case_id']}/survey", headers=STAFF,
                                           json={"german_level": "B2"})
        assert update.status_code == 409


async def test_export_holds_everything_stored_about_the_person(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        case = await register(intake, family_name="Haile", given_names="Mebrahtu")
        response = await intake.client.get(f"/cases/{case['case_id']}/export", headers=STAFF)
        assert response.status_code == 200
        exported = response.json()
        assert exported["case"]["identity"]["family_name"] == "Haile"
        assert exported["case"]["survey"] == case["survey"]
        assert exported["case"]["pseudonym"] == case["pseudonym"]
        assert {entry["action"] for entry in exported["audit"]} >= {"register", "export"}


async def test_erasure_shreds_the_identity_and_forgets_whom_it_concerned(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        person = identity(family_name="Ahmadi", given_names="Zahra", birth_date="1996-09-23")
        case = (await intake.client.post("/cases", json=registration(person=person),
                                         headers=STAFF)).json()
        case_id = case["case_id"]
        await intake.client.get(f"/cases/{case_id}", params={"purpose": "counselling"},
                                headers=STAFF)
        async with intake.runtime.sessions() as session:  # as a backup would hold it
            backup = await session.scalar(select(identities.c.ciphertext))
        assert (await intake.client.delete(f"/cases/{case_id}", headers=STAFF)).status_code == 204

        protection = IdentityProtection.from_settings(intake.runtime.settings)
        async with intake.runtime.sessions() as session:
            for table in (data_keys, identities, blind_indexes):
                assert await session.scalar(select(func.count()).select_from(table)) == 0
        with pytest.raises(UndecryptableIdentity):
            protection.vault.open(uuid.UUID(case_id), None, backup)
        search = await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": "Ahmadi", "given_names": "Zahra", "birth_date": "1996-09-23"})
        assert search.json()["matches"] == []
        assert (await intake.client.get(f"/cases/{case_id}", params={"purpose": "counselling"},
                                        headers=STAFF)).status_code == 404
        assert await outbox_events(intake, "ankommen.intake.case_erased.v1") == [
            {"pseudonym": case["pseudonym"]}]
        audit = (await intake.client.get("/audit", headers=ADMIN)).json()
        assert any(entry["action"] == "erase" for entry in audit)
        assert all(entry["case_id"] != case_id for entry in audit)
        again = await intake.client.post("/cases", json=registration(person=person),
                                         headers=STAFF)
        assert again.status_code == 201


async def test_duplicate_found_later_is_merged_into_the_surviving_case(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = await register(intake, family_name="Darwish", given_names="Ahmad",
                               birth_date="1991-01-01", file_numbers=[])
        body = registration(person=identity(family_name="Derwisch", given_names="Ahmed",
                                            birth_date="1991-01-01", file_numbers=[]))
        body["resolution"] = {"decision": "different_person"}
        second = (await intake.client.post("/cases", json=body, headers=STAFF)).json()
        suspected = await intake.client.post("/duplicates", headers=STAFF, json={
            "case_id": first["case_id"], "other_case_id": second["case_id"]})
        assert suspected.status_code == 201
        suspicion = suspected.json()
        assert suspicion["status"] == "open" and suspicion["score"] > 0.5
        merged = await intake.client.post(f"/duplicates/{suspicion['suspicion_id']}/merge",
                                          headers=STAFF,
                                          json={"surviving_case_id": first["case_id"]})
        assert merged.status_code == 200 and merged.json()["status"] == "merged"
        assert await outbox_events(intake, "ankommen.intake.cases_merged.v1") == [{
            "surviving_pseudonym": first["pseudonym"],
            "merged_pseudonym": second["pseudonym"]}]
        gone = await intake.client.get(f"/cases/{second['case_id']}",
                                       params={"purpose": "duplicate_review"}, headers=STAFF)
        assert gone.status_code == 404
        twice = await intake.client.post(f"/duplicates/{suspicion['suspicion_id']}/dismiss",
                                         headers=STAFF)
        assert twice.status_code == 409


async def test_scan_finds_cases_that_became_alike_and_skips_decided_pairs(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = await register(intake, family_name="Shevchenko", given_names="Oleksandr",
                               birth_date="1982-04-26", file_numbers=[])
        decided = registration(person=identity(family_name="Schewtschenko",
                                               given_names="Oleksandr", birth_date="1982-04-26",
                                               file_numbers=[]))
        decided["resolution"] = {"decision": "different_person"}
        assert (await intake.client.post("/cases", json=decided, headers=STAFF)
                ).status_code == 201
        assert (await intake.client.post("/duplicates/scan", headers=STAFF)).json() == []

        other = await register(intake, family_name="Melnyk", given_names="Andrii",
                               birth_date="1990-07-07", file_numbers=[])
        # A correction of the other case's identity makes it look like the first one.
        corrected = registration(person=identity(family_name="Shevchenko",
                                                 given_names="Olexandr",
                                                 birth_date="1982-04-26", file_numbers=[]))
        corrected["resolution"] = {"decision": "same_person", "case_id": other["case_id"]}
        assert (await intake.client.post("/cases", json=corrected, headers=STAFF)
                ).status_code == 200
        found = (await intake.client.post("/duplicates/scan", headers=STAFF)).json()
        pairs = [frozenset((each["case_id"], each["other_case_id"])) for each in found]
        assert frozenset((first["case_id"], other["case_id"])) in pairs
        assert all(each["status"] == "open" for each in found)
        assert (await intake.client.post("/duplicates/scan", headers=STAFF)).json() == []
