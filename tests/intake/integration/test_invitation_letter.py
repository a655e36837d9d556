"""A clerk prints the invitation letter of a confirmed placement (issue 18): the Arabic and the
Ukrainian letter come as PDFs — kept as PNG test artefacts and checked for script, direction
and shaping — each print audited; providers, coordinators, another case's placement, an ended
placement and an unknown language get no letter, always a German page, never JSON."""

from __future__ import annotations

import uuid
from datetime import time

import pypdfium2
from sqlalchemy import select

from ankommen.intake.adapters.tables import audit_log
from ankommen.intake.service.placements import record_course, record_placement
from ankommen.shared.events.contracts.assignment import (
    CourseContact,
    CoursePublished,
    PlacementConfirmed,
    PlacementDeclined,
    PlacementWithdrawn,
    Venue,
)
from ankommen.shared.identity.auth import Role
from tests.browser.conftest import screenshot_path
from tests.intake.integration.running import running_intake
from tests.progress.integration.catalogue import course, referral_code
from tests.support.event_examples import decoded
from tests.support.pdf_layout import (
    is_arabic,
    is_cyrillic,
    joined_share,
    left_to_right,
    lines_in,
    right_to_left,
)
from tests.support.services import token
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token

STAFF = token(Role.INTAKE_STAFF)
COURSE = course("vhs-a", f"course-{uuid.uuid4().hex[:8]}").model_copy(update={
    "provider_name": "Volkshochschule Heidekreis", "daily_start": time(8, 30),
    "daily_end": time(12, 45),
    "venue": Venue(name="VHS Soltau, Kursraum 2", street="Poststraße 10",
                   postal_code="29614", city="Soltau"),
    "contact": CourseContact(name="Kursbüro", phone="05191 99123")})


async def registered(intake, family_name: str, first_languages: list[str]) -> dict:  # noqa: ANN001
    body = registration(person=identity(family_name=family_name, given_names="Amira"),
                        first_languages=first_languages)
    response = await intake.client.post("/cases", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return response.json()


async def placed(intake, case: dict, event: type = PlacementConfirmed, **extra: object  # noqa: ANN001
                 ) -> str:
    """A placement of ``case`` as assignment announces it, through intake's handler."""
    code = referral_code()
    data = event(placement_id=uuid.uuid4().hex, pseudonym=case["pseudonym"],
                 referral_code=code, course_id=COURSE.course_id, provider_id="vhs-a", **extra)
    async with intake.runtime.uow() as uow:
        await record_placement(uow, decoded(data))
        await uow.commit()  # as the consumer does, with the inbox row
    return code


def signed_in(intake, role: Role) -> None:  # noqa: ANN001
    """The session cookie the sign-in page sets (the page's own test covers the form)."""
    intake.sign_in_with(issue_token(
        role, "test", provider_id="vhs-a" if role is Role.PROVIDER else None))


def kept_as_png(pdf: bytes, name: str) -> pypdfium2.PdfDocument:
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=1.5).to_pil().save(screenshot_path(name))
    return document


async def test_a_clerk_prints_the_arabic_and_the_ukrainian_letter_of_a_confirmed_placement(
        kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        arabic = await registered(intake, "Haddad", ["ara", "deu"])
        ukrainian = await registered(intake, "Petrenko", ["ukr"])
        async with intake.runtime.uow() as uow:
            await record_course(uow, decoded(CoursePublished(course=COURSE)))
            await uow.commit()  # as the consumer does, with the inbox row
        arabic_code, ukrainian_code = await placed(intake, arabic), await placed(intake,
                                                                                 ukrainian)
        signed_in(intake, Role.INTAKE_STAFF)

        letter = await intake.client.get(f"/ui/cases/{arabic['case_id']}/letter",
                                         params={"referral_code": arabic_code})
        assert letter.status_code == 200, letter.text
        assert letter.headers["content-type"] == "application/pdf"
        assert letter.headers["cache-control"] == "no-store"
        document = kept_as_png(letter.content, "intake-letter-arabic")
        text = document[0].get_textpage().get_text_range()
        assert "Einladung zum Kurs" in text and "دعوة إلى الدورة" in text
        assert "Amira Haddad" in text and "Poststraße 10, 29614 Soltau" in text
        lines = lines_in(document, is_arabic)
        assert len(lines) >= 10 and right_to_left(lines, document[0].get_width())
        pairs, share = joined_share(lines)
        assert pairs > 50 and share > 0.9

        letter = await intake.client.get(f"/ui/cases/{ukrainian['case_id']}/letter", params={
            "referral_code": ukrainian_code, "language": "ukr"})
        assert letter.status_code == 200, letter.text
        document = kept_as_png(letter.content, "intake-letter-ukrainian")
        assert "Запрошення на курс" in document[0].get_textpage().get_text_range()
        lines = lines_in(document, is_cyrillic)
        assert len(lines) >= 10 and left_to_right(lines)

        async with intake.runtime.sessions() as session:
            printed = (await session.execute(select(audit_log.c.case_id, audit_log.c.purpose,
                                                    audit_log.c.role).where(
                audit_log.c.action == "print_letter"))).all()
        assert {(str(row.case_id), row.purpose, row.role) for row in printed} == {
            (arabic["case_id"], "invitation_letter", "intake_staff"),
            (ukrainian["case_id"], "invitation_letter", "intake_staff")}


async def test_no_letter_for_other_roles_other_cases_ended_placements_or_unknown_languages(
        kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        person = await registered(intake, "Rahimi", ["ara"])
        other = await registered(intake, "Sadiki", ["ara"])
        kurdish = await registered(intake, "Barzani", ["kur"])
        async with intake.runtime.uow() as uow:
            await record_course(uow, decoded(CoursePublished(course=COURSE)))
            await uow.commit()  # as the consumer does, with the inbox row
        confirmed, others = await placed(intake, person), await placed(intake, other)
        kurdish_code = await placed(intake, kurdish)
        declined = await placed(intake, person, PlacementDeclined)
        withdrawn = await placed(intake, person)
        await placed_again(intake, person, withdrawn)
        url = f"/ui/cases/{person['case_id']}/letter"

        for role in (Role.PROVIDER, Role.COORDINATOR):
            signed_in(intake, role)
            refused = await intake.client.get(url, params={"referral_code": confirmed})
            assert refused.status_code == 303
            assert refused.headers["location"].startswith("/login")
        intake.client.cookies.clear()
        refused = await intake.client.get(url, params={"referral_code": confirmed},
                                          headers=STAFF)
        assert refused.status_code == 303, "a bearer token is no page session"

        signed_in(intake, Role.INTAKE_STAFF)
        answers = {
            "another case's placement": (await intake.client.get(
                url, params={"referral_code": others}), 404,
                "keine Vermittlung mit dieser Vermittlungsnummer"),
            "no such case": (await intake.client.get(
                f"/ui/cases/{uuid.uuid4()}/letter", params={"referral_code": confirmed}), 404,
                "Diesen Fall gibt es nicht"),
            "not a case id": (await intake.client.get(
                "/ui/cases/x/letter", params={"referral_code": confirmed}), 404,
                "Diesen Fall gibt es nicht"),
            "declined": (await intake.client.get(
                url, params={"referral_code": declined}), 409, "(Stand: abgelehnt)"),
            "withdrawn": (await intake.client.get(
                url, params={"referral_code": withdrawn}), 409, "(Stand: zurückgezogen)"),
            "unknown language": (await intake.client.get(
                url, params={"referral_code": confirmed, "language": "xyz"}), 422,
                "Für die Sprache „xyz“ gibt es kein Einladungsschreiben"),
        }
        for what, (answer, status, german) in answers.items():
            assert answer.status_code == status, what
            assert answer.headers["content-type"].startswith("text/html"), what
            assert german in answer.text, what

        picker = await intake.client.get(f"/ui/cases/{kurdish['case_id']}/letter",
                                         params={"referral_code": kurdish_code})
        assert picker.status_code == 200 and picker.headers["content-type"].startswith(
            "text/html")
        assert 'id="language" name="language" required' in picker.text
        assert "selected" not in picker.text
        assert ">Arabisch – العربية</option>" in picker.text

        async with intake.runtime.sessions() as session:
            printed = (await session.execute(select(audit_log).where(
                audit_log.c.action == "print_letter"))).all()
        assert printed == [], "no refused request decrypted or printed a name"


async def placed_again(intake, case: dict, code: str) -> None:  # noqa: ANN001
    """Assignment withdraws the placement ``code`` (reallocated)."""
    data = PlacementWithdrawn(placement_id=uuid.uuid4().hex, pseudonym=case["pseudonym"],
                              referral_code=code, course_id=COURSE.course_id,
                              provider_id="vhs-a", reason="reallocated")
    async with intake.runtime.uow() as uow:
        await record_placement(uow, decoded(data))
        await uow.commit()  # as the consumer does, with the inbox row
