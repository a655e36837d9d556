"""The consented, audited disclosure of contact details to the provider of a confirmed
placement (brief §4): intake learns courses and placements from assignment's and progress's
topics over the real broker, answers a provider only for its own confirmed placements in an
approved, running course of the county, of people who consented (phone and e-mail only with
their own consent), writes every disclosure to the audit log, and forgets the placements of an
erased person."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import courses, provider_placements
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseApproval,
    CoursePublished,
    CourseStatus,
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
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.progress.integration.catalogue import STARTS_ON, announce, course, referral_code
from tests.support.county_day import county_today
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


def county_course(provider_id: str, course_id: str | None = None, **changes: object) -> Course:
    """The provider's course as assignment announces it once a coordinator approved it: in
    the county (Heidekreis, 03358), running since 90 days, for 90 more."""
    return course(provider_id, course_id or f"course-{provider_id}").model_copy(
        update={"approval": CourseApproval.APPROVED, **changes})


async def courses_known(intake, *courses_: Course) -> None:  # noqa: ANN001
    """Announce ``courses_`` on assignment's courses topic and wait until intake has them."""
    await announce(intake_bootstrap(intake), [(each.course_id, CoursePublished(course=each))
                                              for each in courses_])
    wanted = {each.course_id: (each.approved, each.ends_on) for each in courses_}

    async def known() -> dict[str, tuple]:
        async with intake.runtime.sessions() as session:
            rows = (await session.execute(select(courses).where(
                courses.c.course_id.in_(wanted)))).all()
        return {row.course_id: (row.approved, row.ends_on) for row in rows}

    await eventually(known, until=lambda found: found == wanted, timeout=60,
                     what=f"intake knows the courses {sorted(wanted)}")


def intake_bootstrap(intake) -> str:  # noqa: ANN001
    return intake.runtime.settings.kafka_bootstrap_servers


async def placements_recorded(intake, count: int) -> None:  # noqa: ANN001
    """Wait until intake has consumed ``count`` placements from the broker."""

    async def recorded() -> int:
        async with intake.runtime.sessions() as session:
            return await session.scalar(select(func.count()).select_from(provider_placements))

    await eventually(recorded, until=lambda found: found == count, timeout=60,
                     what=f"intake recorded {count} confirmed placement(s)")


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
        await courses_known(intake, county_course("vhs-a"), county_course("vhs-b"))
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


async def test_data_subject_export_lists_each_disclosure_of_the_persons_own_data(
        kafka, databases):
    async with running_intake(kafka, databases) as intake:
        person = await register(intake, ["share_contact_with_provider", "contact_by_phone"],
                                family_name="Haddadin", given_names="Rasha")
        other = await register(intake, ALL_CONTACT, family_name="Petrenko",
                               given_names="Olena")
        mine, theirs = referral_code(), referral_code()
        await courses_known(intake, county_course("vhs-a"), county_course("vhs-b"))
        await announce(kafka.bootstrap_servers, [
            placement(PlacementConfirmed, person, mine, "vhs-a"),
            placement(PlacementConfirmed, other, theirs, "vhs-b")])
        await placements_recorded(intake, 2)
        assert mine in await disclosed(intake, VHS_A, [mine])
        assert mine in await disclosed(intake, VHS_A, [mine])
        assert theirs in await disclosed(intake, VHS_B, [theirs])

        exported = await intake.client.get(f"/cases/{person['case_id']}/export",
                                           headers=STAFF)
        untouched = await intake.client.get(f"/cases/{other['case_id']}/export",
                                            headers=STAFF)
        never = await register(intake, [], family_name="Nourzad", given_names="Parwin")
        nothing = await intake.client.get(f"/cases/{never['case_id']}/export", headers=STAFF)

    assert exported.status_code == 200, exported.text
    disclosures = exported.json()["disclosures"]
    assert [{key: value for key, value in each.items() if key != "at"}
            for each in disclosures] == 2 * [{
                "recipient_kind": "course_provider", "recipient": "vhs-a",
                "fields": ["names", "phone"], "purpose": "placement_disclosure"}]
    assert disclosures[0]["at"] <= disclosures[1]["at"]
    # Only this person's disclosures, and field names rather than anyone's values.
    section = str(disclosures)
    for value in ("vhs-b", "Petrenko", "Haddadin", "+49 5191 555000", "p@example.org"):
        assert value not in section
    assert [each["recipient"] for each in untouched.json()["disclosures"]] == ["vhs-b"]
    assert untouched.json()["disclosures"][0]["fields"] == ["names", "phone", "email"]
    assert nothing.json()["disclosures"] == []


async def test_export_after_a_merge_lists_what_was_disclosed_under_the_merged_case(
        kafka, databases):
    async with running_intake(kafka, databases) as intake:
        surviving = await register(intake, [], family_name="Darwish", given_names="Ahmad",
                                   birth_date="1991-01-01", file_numbers=[])
        body = registration(person=identity(family_name="Derwisch", given_names="Ahmed",
                                            birth_date="1991-01-01", file_numbers=[]),
                            consents=["share_contact_with_provider"])
        body["resolution"] = {"decision": "different_person"}
        answer = await intake.client.post("/cases", json=body, headers=STAFF)
        assert answer.status_code == 201, answer.text
        merged = answer.json()
        code = referral_code()
        await courses_known(intake, county_course("vhs-a"))
        await announce(kafka.bootstrap_servers, [
            placement(PlacementConfirmed, merged, code, "vhs-a")])
        await placements_recorded(intake, 1)
        assert code in await disclosed(intake, VHS_A, [code])
        suspicion = (await intake.client.post("/duplicates", headers=STAFF, json={
            "case_id": surviving["case_id"], "other_case_id": merged["case_id"]})).json()
        done = await intake.client.post(f"/duplicates/{suspicion['suspicion_id']}/merge",
                                        headers=STAFF,
                                        json={"surviving_case_id": surviving["case_id"]})
        assert done.status_code == 200, done.text
        exported = await intake.client.get(f"/cases/{surviving['case_id']}/export",
                                           headers=STAFF)

    assert exported.status_code == 200, exported.text
    assert [(each["recipient"], each["fields"]) for each in exported.json()["disclosures"]] \
        == [("vhs-a", ["names"])]


async def test_a_confirmation_discloses_nothing_unless_its_course_is_an_approved_running_course_of_the_county(  # noqa: E501
        kafka, databases):
    """The forged-event attack: a ``PlacementConfirmed`` naming the attacker's provider and a
    victim's pseudonym. Assuming the event came from assignment (provenance is checked
    elsewhere), it still discloses nothing unless the placement's course is one the county
    made: approved, in the county, the asking provider's own and running today."""
    async with running_intake(kafka, databases) as intake:
        suffix = uuid.uuid4().hex[:6]
        today = county_today()

        def of_vhs_a(name: str, **changes: object) -> Course:
            return county_course("vhs-a", course_id=f"course-{name}-{suffix}", **changes)

        courses_ = {
            "approved": of_vhs_a("approved"),
            "draft": of_vhs_a("draft", approval=CourseApproval.DRAFT),
            "returned": of_vhs_a("returned", approval=CourseApproval.RETURNED),
            "no_approval": of_vhs_a("no-approval", approval=None),
            "ended": of_vhs_a("ended", ends_on=today - timedelta(days=1)),
            "completed": of_vhs_a("completed", status=CourseStatus.COMPLETED),
            "elsewhere": of_vhs_a("elsewhere", region_key="09162000"),
            "not_yet": of_vhs_a("not-yet", starts_on=today + timedelta(days=60),
                                ends_on=today + timedelta(days=200)),
            "soon": of_vhs_a("soon", starts_on=today + timedelta(days=7),
                             ends_on=today + timedelta(days=200)),
            "of_vhs_b": county_course("vhs-b", course_id=f"course-b-{suffix}"),
        }
        await courses_known(intake, *courses_.values())
        victims = {name: await register(intake, ALL_CONTACT)
                   for name in [*courses_, "unknown_course"]}
        codes = {name: referral_code() for name in victims}
        forged = [(victims[name]["pseudonym"], PlacementConfirmed(
            placement_id=uuid.uuid4().hex, pseudonym=victims[name]["pseudonym"],
            referral_code=codes[name], provider_id="vhs-a",
            course_id=courses_[name].course_id if name in courses_ else f"nowhere-{suffix}"))
            for name in victims]
        await announce(kafka.bootstrap_servers, forged)
        await placements_recorded(intake, len(victims))

        # Only the approved course running in the county, and one starting within the lead
        # time (its provider invites its participants); nothing else, to nobody.
        assert set(await disclosed(intake, VHS_A, list(codes.values()))) == {
            codes["approved"], codes["soon"]}
        assert await disclosed(intake, VHS_B, list(codes.values())) == {}

        # The course ends (assignment announces its new state): the disclosure ends with it.
        await courses_known(intake, courses_["approved"].model_copy(
            update={"ends_on": today - timedelta(days=1)}))
        assert await disclosed(intake, VHS_A, [codes["approved"]]) == {}
        # And a course that lost its approval (its provider widened it) discloses nothing.
        await courses_known(intake, courses_["soon"].model_copy(
            update={"approval": CourseApproval.DRAFT}))
        assert await disclosed(intake, VHS_A, [codes["soon"]]) == {}

        audit = (await intake.client.get("/audit", params={"limit": 1000},
                                         headers=ADMIN)).json()
        assert len([entry for entry in audit if entry["action"] == "disclose_contact"]) == 2
