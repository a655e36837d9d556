"""The two use cases that hand a person's name out of intake, through the in-memory unit: the
consented disclosure of contact details to the provider of a confirmed placement, and the
invitation letter — each audited, neither possible for a placement that is not confirmed."""

from __future__ import annotations

import uuid

import pytest

from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.letter import GERMAN, PRINTABLE
from ankommen.intake.service.disclosure import disclose_contacts
from ankommen.intake.service.letters import (
    CourseNotKnown,
    PlacementNotConfirmed,
    letter_target,
    prepare_letter,
)
from ankommen.intake.service.placements import record_course, record_placement
from ankommen.shared.errors import Conflict, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import (
    CourseApproval,
    CoursePublished,
    PlacementDeclined,
)
from ankommen.shared.events.contracts.intake import ClosureReason
from ankommen.shared.identity.auth import Principal, Role
from tests.intake.fakes import FakeDatabase, FakeUnitOfWork
from tests.intake.unit.arrange import (
    PROTECTION,
    REGISTERED_ON,
    STAFF,
    confirmed,
    county_course,
    handled,
    person,
    registered,
)

VHS_A = Principal("vhs-a-system", Role.PROVIDER, provider_id="vhs-a")
POLICY = IntakeSettings().disclosure_policy
ALL_CONTACT = ["share_contact_with_provider", "contact_by_phone", "contact_by_email"]


async def placed(database: FakeDatabase, consents: list[str], code: str = "REF-0001",
                 **course_changes: object) -> Case:
    """A person (with phone and e-mail) confirmed in vhs-a's county course."""
    case = await registered(database, person(family_name="Nasser", given_names="Leila",
                                             phone="+49 5191 555000", email="l@example.org"),
                            consents=consents, first_languages=["ara"])
    course = county_course(**course_changes)
    await handled(database, record_course, CoursePublished(course=course))
    await handled(database, record_placement, confirmed(case, code, course))
    return case


async def test_the_provider_gets_the_consented_contact_of_its_confirmed_placement_audited():
    database = FakeDatabase()
    case = await placed(database, ALL_CONTACT)
    uow = FakeUnitOfWork(database)
    async with uow:
        (disclosed,) = await disclose_contacts(uow, PROTECTION, VHS_A, ["REF-0001", "REF-9"],
                                               policy=POLICY, today=REGISTERED_ON)
    assert disclosed.referral_code == "REF-0001"
    assert (disclosed.details.family_name, disclosed.details.phone,
            disclosed.details.email) == ("Nasser", "+49 5191 555000", "l@example.org")
    entry = database.audit[-1]
    assert (entry.action, entry.case_id, entry.recipient, entry.disclosed, entry.purpose) == (
        AuditAction.DISCLOSE_CONTACT, case.case_id, "vhs-a", "names,phone,email",
        Purpose.PLACEMENT_DISCLOSURE)
    assert uow.commits == 1


@pytest.mark.parametrize(("consents", "provider", "course"), [
    (["contact_by_phone"], VHS_A, {}),
    (ALL_CONTACT, Principal("vhs-b-system", Role.PROVIDER, provider_id="vhs-b"), {}),
    (ALL_CONTACT, VHS_A, {"approval": CourseApproval.DRAFT}),
    (ALL_CONTACT, VHS_A, {"region_key": "03351001"}),
], ids=["no consent", "another provider", "course not approved", "course elsewhere"])
async def test_nothing_is_disclosed_without_consent_or_outside_an_approved_county_course(
        consents, provider, course):
    database = FakeDatabase()
    await placed(database, consents, **course)
    uow = FakeUnitOfWork(database)
    async with uow:
        assert await disclose_contacts(uow, PROTECTION, provider, ["REF-0001"], policy=POLICY,
                                       today=REGISTERED_ON) == []
    assert [entry.action for entry in database.audit] == [AuditAction.REGISTER]


async def test_a_token_without_a_provider_is_refused():
    uow = FakeUnitOfWork()
    async with uow:
        with pytest.raises(Forbidden):
            await disclose_contacts(uow, PROTECTION, Principal("x", Role.PROVIDER), ["REF-1"],
                                    policy=POLICY, today=REGISTERED_ON)
    assert uow.commits == 0


async def test_the_letter_is_printed_with_the_name_and_audited_with_its_purpose():
    database = FakeDatabase()
    case = await placed(database, ALL_CONTACT)
    uow = FakeUnitOfWork(database)
    async with uow:
        target = await letter_target(uow, case.case_id, "REF-0001")
        assert target.default_language is PRINTABLE["ara"]
        letter = await prepare_letter(uow, PROTECTION, target, PRINTABLE["ara"], "Landkreis",
                                      STAFF)
    assert letter.addressee == "Leila Nasser" and letter.sender == "Landkreis"
    assert [section.language for section in letter.sections] == [GERMAN, PRINTABLE["ara"]]
    entry = database.audit[-1]
    assert (entry.action, entry.case_id, entry.purpose) == (
        AuditAction.PRINT_LETTER, case.case_id, Purpose.INVITATION_LETTER)
    assert uow.commits == 1


async def test_no_letter_for_an_ended_placement_an_unknown_course_another_case_or_a_closed_one():
    database = FakeDatabase()
    case = await placed(database, ALL_CONTACT)
    other = await placed(database, ALL_CONTACT, code="REF-0002")
    await handled(database, record_placement, PlacementDeclined(
        **confirmed(case, "REF-0003").model_dump(exclude={"event_type"})))
    # A placement in a course whose announcement has not reached intake yet.
    await handled(database, record_placement, confirmed(
        case, "REF-0004", county_course(course_id="course-unknown")))
    uow = FakeUnitOfWork(database)
    async with uow:
        with pytest.raises(PlacementNotConfirmed):
            await letter_target(uow, case.case_id, "REF-0003")
        with pytest.raises(CourseNotKnown):
            await letter_target(uow, case.case_id, "REF-0004")
        for code in ("REF-0002", "REF-9999"):
            with pytest.raises(NotFound):
                await letter_target(uow, case.case_id, code)
        with pytest.raises(NotFound):
            await letter_target(uow, uuid.uuid4(), "REF-0001")
    database.cases[other.case_id].close(REGISTERED_ON, ClosureReason.OTHER)
    async with uow:
        with pytest.raises(Conflict):
            await letter_target(uow, other.case_id, "REF-0002")
    assert uow.commits == 0 and len(database.audit) == 2
