"""Registering arrivals at intake: identity kept encrypted, the survey's age derived, spelling
variants of a known person stopped with a duplicate warning, and staff's decision honoured
(real database, real broker)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import cases, data_keys, identities, messaging
from ankommen.intake.domain.identity import age_on
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.county_day import county_today
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)


def mohammed(**overrides):  # noqa: ANN003, ANN201
    return identity(**{"family_name": "Al-Hassan", "given_names": "Mohammed",
                       "birth_date": "1990-03-04", "file_numbers": [], **overrides})


async def outbox_events(service, event_type: str) -> list[dict]:  # noqa: ANN001
    async with service.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.type == event_type))).scalars().all()
    return [json.loads(row)["data"] for row in rows]


async def count_cases(service) -> int:  # noqa: ANN001
    async with service.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(cases))


async def test_registration_encrypts_identity_and_derives_the_age(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        body = registration(person=mohammed())
        response = await intake.client.post("/cases", json=body, headers=STAFF)
        assert response.status_code == 201, response.text
        case = response.json()
        assert case["survey"]["age_years"] == age_on(date(1990, 3, 4), county_today())
        assert "identity" not in case
        async with intake.runtime.sessions() as session:
            ciphertext = await session.scalar(select(identities.c.ciphertext))
            wrapped = await session.scalar(select(data_keys.c.wrapped_key))
        assert ciphertext.startswith(b"v1") and wrapped.startswith(b"v1")
        assert b"Hassan" not in ciphertext and b"1990" not in ciphertext
        registered = await outbox_events(intake, "ankommen.intake.case_registered.v1")
        assert registered[0]["pseudonym"] == case["pseudonym"]
        assert "Hassan" not in json.dumps(registered)
        facts = await outbox_events(intake, "ankommen.intake.arrival_recorded.v1")
        assert facts[0]["age_band"] == "27_to_44" and "pseudonym" not in facts[0]


async def test_spelling_variant_of_a_registered_person_is_warned_of_not_registered(
        kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = await intake.client.post("/cases", json=registration(person=mohammed()),
                                         headers=STAFF)
        variant = registration(person=mohammed(family_name="Alhasan", given_names="Muhammad"))
        response = await intake.client.post("/cases", json=variant, headers=STAFF)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert [candidate["case_id"] for candidate in problem["candidates"]] == [
            first.json()["case_id"]]
        assert problem["candidates"][0]["score"] >= 0.8
        assert "Hassan" not in response.text and "Mohammed" not in response.text
        assert await count_cases(intake) == 1


async def test_equal_file_number_is_a_duplicate_whatever_the_name(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        number = [{"kind": "federal_office", "number": "7654321-123"}]
        await intake.client.post("/cases", json=registration(person=identity(
            file_numbers=number)), headers=STAFF)
        response = await intake.client.post("/cases", json=registration(person=identity(
            file_numbers=[{"kind": "federal_office", "number": "7654321 123"}])),
            headers=STAFF)
        assert response.status_code == 409
        assert response.json()["candidates"][0]["score"] == 1.0


async def test_shared_household_number_alone_does_not_make_a_duplicate(kafka, databases):
    """A job-centre number (BG-Nummer) belongs to a whole household: a daughter registered
    with her father's number is not taken for him (it once counted as proof)."""
    async with running_intake(kafka, databases) as intake:
        household = [{"kind": "job_centre", "number": "12345BG0067890"}]
        await intake.client.post("/cases", json=registration(person=mohammed(
            file_numbers=household)), headers=STAFF)
        response = await intake.client.post("/cases", json=registration(person=identity(
            family_name="Al-Hassan", given_names="Amina", birth_date="2004-09-21",
            file_numbers=household)), headers=STAFF)
        assert response.status_code == 201, response.text
        assert await count_cases(intake) == 2


async def test_same_person_updates_the_existing_case_with_only_changed_answers(
        kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = (await intake.client.post("/cases", json=registration(person=mohammed()),
                                          headers=STAFF)).json()
        body = registration(person=mohammed(family_name="Alhasan", phone="+49 170 1234567"),
                            german_level="A2")
        body["resolution"] = {"decision": "same_person", "case_id": first["case_id"]}
        response = await intake.client.post("/cases", json=body, headers=STAFF)
        assert response.status_code == 200, response.text
        assert response.json()["pseudonym"] == first["pseudonym"]
        assert await count_cases(intake) == 1
        updates = await outbox_events(intake, "ankommen.intake.survey_updated.v1")
        assert updates == [{"pseudonym": first["pseudonym"], "changes": {"german_level": "A2"}}]
        read = await intake.client.get(f"/cases/{first['case_id']}",
                                       params={"purpose": "correction"}, headers=STAFF)
        assert read.json()["identity"]["family_name"] == "Alhasan"


async def test_different_person_creates_a_case_and_keeps_the_decision(kafka, databases):
    async with running_intake(kafka, databases) as intake:
        first = (await intake.client.post("/cases", json=registration(person=mohammed()),
                                          headers=STAFF)).json()
        body = registration(person=mohammed(given_names="Muhammad"))
        body["resolution"] = {"decision": "different_person"}
        response = await intake.client.post("/cases", json=body, headers=STAFF)
        assert response.status_code == 201
        assert await count_cases(intake) == 2
        decided = (await intake.client.get("/duplicates", params={"status": "different_person"},
                                           headers=STAFF)).json()
        assert [(each["case_id"], each["other_case_id"]) for each in decided] == [
            (response.json()["case_id"], first["case_id"])]


async def test_identity_is_validated_field_by_field(kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        body = registration(person=identity(birth_date="1900-01-01", nationalities=["SYX"],
                                            email="not-an-address", birth_country="DE"))
        body["survey"]["age_years"] = 30
        response = await intake.client.post("/cases", json=body, headers=STAFF)
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"identity.birth_date", "identity.nationalities", "identity.email",
                          "identity.birth_country", "survey.age_years"}
        future = registration(person=identity(birth_date="2999-01-01"))
        response = await intake.client.post("/cases", json=future, headers=STAFF)
        assert response.json()["errors"][0]["reason"].endswith("must not be in the future")
        assert "2999" not in response.text
