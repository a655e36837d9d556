"""The consented, audited disclosure of contact details to the provider of a confirmed
placement (brief §4): intake learns placements from assignment's and progress's topics over the
real broker, answers a provider only for its own confirmed placements of people who consented
(phone and e-mail only with their own consent), writes every disclosure to the audit log, and
forgets the placements of an erased person."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import provider_placements
from ankommen.shared.auth import Role
from ankommen.shared.events.contracts.assignment import (
    PlacementConfirmed,
    PlacementOffered,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.events.contracts.progress import (
    CorrectionAction,
    CourseCompleted,
    ReportCorrected,
    ReportKind,
)
from tests.intake.integration.running import running_intake
from tests.progress.integration.catalogue import STARTS_ON, announce, referral_code
from tests.support.polling import eventually
from tests.support.services import token
from tests.support.surveys import identity, registration

STAFF = token(Role.INTAKE_STAFF)
ADMIN = token(Role.ADMIN)
VHS_A = token(Role.PROVIDER, "vhs-a")
VHS_B = token(Role.PROVIDER, "vhs-b")
ALL_CONTACT = ["share_contact_with_provider", "contact_by_phone", "contact_by_email"]


async def register(intake, consents: list[str], **person) -> dict:  # noqa: ANN001, ANN003
    body = registration(person=identity(phone="+49 5191 555000", email="p@example.org",
                                        **person), consents=consents)
    response = await intake.client.post("/cases", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return {**response.json(), **body["identity"]}


def placement(event: type, case: dict, code: str, provider_id: str, **extra: object):  # noqa: ANN201
    return (case["pseudonym"], event(placement_id=uuid.uuid4().hex, pseudonym=case["pseudonym"],
                                     referral_code=code, course_id=f"course-{provider_id}",
                                     provider_id=provider_id, **extra))


def participation(event: type, case: dict, code: str, **extra: object):  # noqa: ANN201
    return (case["pseudonym"], event(pseudonym=case["pseudonym"], referral_code=code,
                                     course_id="course-vhs-a",
                                     report_id=uuid.uuid4().hex[:12], **extra))


async def disclosed(intake, headers: dict, codes: list[str]) -> dict[str, dict]:  # noqa: ANN001
    response = await intake.client.post("/disclosures/contacts", headers=headers,
                                        json={"referral_codes": codes})
    assert response.status_code == 200, response.text
    return {item["referral_code"]: item for item in response.json()["contacts"]}


async def test_contacts_go_only_to_the_confirmed_provider_as_consented_and_are_audited(
        kafka, databases, caplog):
    caplog.set_level(logging.DEBUG)
    async with running_intake(kafka, databases) as intake:
        phone_only = await register(intake, ["share_contact_with_provider", "contact_by_phone"],
                                    family_name="Haddadin", given_names="Rasha")
        no_consent = await register(intake, [], family_name="Nourzad", given_names="Parwin")
        offered_only = await register(intake, ALL_CONTACT, family_name="Okonkwo",
                                      given_names="Chidi")
        other_provider = await register(intake, ["share_contact_with_provider"],
                                        family_name="Petrenko", given_names="Olena")
        withdrawn = await register(intake, ALL_CONTACT, family_name="Rahimi",
                                   given_names="Zahra")
        completed = await register(intake, ALL_CONTACT, family_name="Sadiki",
                                   given_names="Amir")
        codes = {name: referral_code() for name in ("phone_only", "no_consent", "offered_only",
                                                     "other_provider", "withdrawn", "completed")}
        await announce(kafka.bootstrap_servers, [
            placement(PlacementConfirmed, phone_only, codes["phone_only"], "vhs-a"),
            placement(PlacementConfirmed, no_consent, codes["no_consent"], "vhs-a"),
            placement(PlacementOffered, offered_only, codes["offered_only"], "vhs-a",
                      offered_on=STARTS_ON),
            placement(PlacementConfirmed, other_provider, codes["other_provider"], "vhs-b"),
            placement(PlacementConfirmed, withdrawn, codes["withdrawn"], "vhs-a"),
            placement(PlacementWithdrawn, withdrawn, codes["withdrawn"], "vhs-a",
                      reason=WithdrawalReason.REALLOCATED),
            placement(PlacementConfirmed, completed, codes["completed"], "vhs-a"),
        ])
        everything = list(codes.values())

        async def statuses() -> dict[str, str]:
            async with intake.runtime.sessions() as session:
                rows = (await session.execute(select(provider_placements))).all()
            return {row.referral_code: row.status for row in rows}

        await eventually(statuses, until=lambda found: len(found) == 5
                         and found[codes["withdrawn"]] == "withdrawn", timeout=60,
                         what="intake recorded the confirmed placements")
        await announce(kafka.bootstrap_servers, [
            participation(CourseCompleted, completed, codes["completed"],
                          completed_on=STARTS_ON)], source="/ankommen/progress")
        await eventually(statuses, until=lambda found: found[codes["completed"]] == "completed",
                         timeout=60, what="the completion ended the disclosure")

        for_a = await disclosed(intake, VHS_A, everything)
        assert for_a == {codes["phone_only"]: {
            "referral_code": codes["phone_only"], "family_name": "Haddadin",
            "given_names": "Rasha", "phone": "+49 5191 555000", "email": None}}
        for_b = await disclosed(intake, VHS_B, everything)
        assert for_b == {codes["other_provider"]: {
            "referral_code": codes["other_provider"], "family_name": "Petrenko",
            "given_names": "Olena", "phone": None, "email": None}}

        # A retracted completion: the person is in the course again.
        await announce(kafka.bootstrap_servers, [participation(
            ReportCorrected, completed, codes["completed"], corrects_report_id="R-done",
            action=CorrectionAction.RETRACTED, original_kind=ReportKind.COMPLETION)],
            source="/ankommen/progress")
        await eventually(statuses, until=lambda found: found[codes["completed"]] == "confirmed",
                         timeout=60, what="the retraction reopened the disclosure")
        again = await disclosed(intake, VHS_A, [codes["completed"]])
        assert again[codes["completed"]]["email"] == "p@example.org"

        audit = (await intake.client.get("/audit", params={"case_id": phone_only["case_id"]},
                                         headers=ADMIN)).json()
        [entry] = [item for item in audit if item["action"] == "disclose_contact"]
        assert entry["actor"] == "test" and entry["role"] == "provider"
        assert entry["recipient"] == "vhs-a" and entry["disclosed"] == "names,phone"
        assert entry["purpose"] == "placement_disclosure" and entry["at"]
        for case in (no_consent, offered_only, withdrawn):
            entries = (await intake.client.get("/audit", params={"case_id": case["case_id"]},
                                               headers=ADMIN)).json()
            assert "disclose_contact" not in {item["action"] for item in entries}

        staff_asking = await intake.client.post("/disclosures/contacts", headers=STAFF,
                                                json={"referral_codes": everything})
        assert staff_asking.status_code == 403
        malformed = await intake.client.post("/disclosures/contacts", headers=VHS_A,
                                             json={"referral_codes": ["lower-case!"]})
        assert malformed.status_code == 422

        erased = await intake.client.delete(f"/cases/{phone_only['case_id']}", headers=STAFF)
        assert erased.status_code == 204
        assert await disclosed(intake, VHS_A, [codes["phone_only"]]) == {}
        async with intake.runtime.sessions() as session:
            left = await session.scalar(select(func.count()).select_from(provider_placements)
                                        .where(provider_placements.c.pseudonym
                                               == phone_only["pseudonym"]))
        assert left == 0

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert caplog.records, "nothing was logged: the log check would prove nothing"
    for name in ("Haddadin", "Petrenko", "Sadiki", "+49 5191 555000", "p@example.org"):
        assert name not in logged
