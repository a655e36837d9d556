"""Printing a person's invitation letter (issue 18): only for a confirmed placement of an open
case, only by intake staff, and every print audited with its purpose.

The letter carries the person's name, which never leaves intake: intake prints it from its
own record of the placement and of the course (assignment's catalogue events), decrypting the
name for this letter only. German first, then the same text in the person's language; dates
and times in each language's own words and forms (Babel, CLDR).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

from anyio import to_thread
from babel.dates import format_date, format_time

from ankommen.intake.adapters.letter_pdf import render_letter
from ankommen.intake.adapters.letter_texts import reviewed_by, text
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.domain.audit import AuditAction, Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.domain.letter import (
    GERMAN,
    PRINTABLE,
    CourseDetails,
    Invitation,
    Letter,
    LetterLanguage,
    Paragraph,
    Section,
    Style,
    default_language,
)
from ankommen.intake.service.case_work import existing_case, open_identity, record_audit
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import Conflict, NotFound
from ankommen.shared.identity.auth import Principal


@dataclass(frozen=True)
class LetterChoice:
    """A letter language as the case page and the picker show it."""

    code: str
    german_name: str
    #: The language's own name (what the person recognises).
    own_name: str
    #: Who reviewed the translation (the catalogue's header).
    reviewed_by: str


def letter_languages() -> list[LetterChoice]:
    """The languages a letter can be printed in, for the case page's links and the picker:
    code, German name, own name and review state; German alone last."""
    return [LetterChoice(language.code, language.german_name,
                         text(language.code, "letter.language_name"), reviewed_by(language.code))
            for language in PRINTABLE.values()]


class PlacementNotConfirmed(Conflict):
    """The placement exists but is not (or no longer) confirmed: no letter (409)."""

    def __init__(self, status: PlacementStatus) -> None:
        super().__init__(f"referral_code: the placement is {status.value}, not confirmed",
                         field="referral_code")
        self.placement_status = status


class CourseNotKnown(Conflict):
    """The placement's course has not reached intake yet (another topic): try later."""


@dataclass(frozen=True)
class LetterTarget:
    """The case and its confirmed placement's course, checked, before any name is read."""

    case: Case
    referral_code: str
    course: CourseDetails

    @property
    def default_language(self) -> LetterLanguage | None:
        return default_language(list(self.case.survey.first_languages))


async def letter_target(uow: IntakeUnitOfWork, case_id: uuid.UUID, referral_code: str
                        ) -> LetterTarget:
    """The open case and its confirmed placement ``referral_code`` (404 for a placement of
    another case, told apart from nothing: a referral code is no way to probe other cases)."""
    case = await existing_case(uow, case_id)
    case.require_open()
    placement = await uow.placements.recorded(referral_code)
    if placement is None or placement.pseudonym != case.pseudonym:
        raise NotFound("referral_code: this case has no such placement", field="referral_code")
    if placement.status is not PlacementStatus.CONFIRMED:
        raise PlacementNotConfirmed(placement.status)
    course = await uow.courses.details(placement.course_id)
    if course is None:
        raise CourseNotKnown("course_id: the placement's course is not known to intake yet",
                             field="course_id")
    return LetterTarget(case, referral_code, course)


async def prepare_letter(uow: IntakeUnitOfWork, protection: IdentityProtection,
                         target: LetterTarget, language: LetterLanguage, sender: str,
                         actor: Principal) -> Letter:
    """The letter's words; the name is decrypted for it and the print audited
    (:attr:`Purpose.INVITATION_LETTER`) in the same transaction. Laid out by
    :func:`render` after the transaction (a PDF takes a few hundred milliseconds)."""
    identity = await open_identity(uow, protection, target.case.case_id)
    await record_audit(uow, actor, AuditAction.PRINT_LETTER, target.case.case_id,
                       Purpose.INVITATION_LETTER)
    invitation = Invitation(identity.family_name, identity.given_names, target.course,
                            uow.clock.today())
    letter = compose(invitation, target.referral_code, language, sender)
    await uow.commit()
    return letter


async def render(letter: Letter) -> bytes:
    """The PDF, laid out in a worker thread so that the service keeps answering."""
    return await to_thread.run_sync(render_letter, letter)


def compose(invitation: Invitation, referral_code: str, language: LetterLanguage,
            sender: str) -> Letter:
    """The letter's words: German, then ``language`` (just German for German)."""
    languages = [GERMAN] if language is GERMAN else [GERMAN, language]
    issued = format_date(invitation.issued_on, "long", locale=GERMAN.locale)
    reference = (f"{text(GERMAN.code, 'letter.date')}: {issued} · "
                 f"{text(GERMAN.code, 'letter.reference')}: {referral_code}")
    return Letter(sender=sender,
                  addressee=f"{invitation.given_names} {invitation.family_name}",
                  reference=reference,
                  sections=tuple(_section(invitation, referral_code, each)
                                 for each in languages))


def _section(invitation: Invitation, referral_code: str, language: LetterLanguage
             ) -> Section:
    def say(key: str, **values: object) -> str:
        """The letter's text ``letter.<key>`` in this section's language (its own catalogue,
        not the page translator ``t``)."""
        return text(language.code, f"letter.{key}", **values)

    def own(value: str) -> str:
        """A name, address, number or German text inside the section: in a right-to-left
        section isolated as left-to-right (Unicode LRI … PDI), or the bidirectional
        algorithm would reorder "05191 99123" into "99123 05191"."""
        return f"\u2066{value}\u2069" if language.right_to_left else value

    course = invitation.course
    unknown = say("not_known")
    name = own(f"{invitation.given_names} {invitation.family_name}")
    paragraphs = [Paragraph(say("title"), Style.TITLE), Paragraph(say("greeting", name=name)),
                  Paragraph(say("intro"))]

    def field(key: str, value: str | None) -> None:
        paragraphs.append(Paragraph(f"{say(key)}: {value or unknown}", Style.FIELD))

    field("course", own(course.title) if course.title else None)
    field("provider", own(course.provider))
    venue = course.venue
    field("venue", own(f"{venue.name}, {venue.street}, {venue.postal_code} {venue.city}")
          if venue else None)
    field("start", _start(say, language, course.starts_on, course.daily_start))
    if course.daily_start and course.daily_end:
        field("hours", say("hours_value", start=_time(course.daily_start, language),
                         end=_time(course.daily_end, language)))
    field("reference", own(referral_code))
    paragraphs.append(Paragraph(f"{say('bring')}:", Style.FIELD))
    paragraphs += [Paragraph(say(f"bring.{item}"), Style.ITEM)
                   for item in ("identity", "entitlement", "writing")]
    if course.what_to_bring:
        paragraphs.append(Paragraph(f"{say('bring.provider')} {own(course.what_to_bring)}",
                                    Style.ITEM))
    contact = course.contact
    if contact is not None:
        parts = [own(contact.name)]
        if contact.phone:
            parts.append(f"{say('phone')} {own(contact.phone)}")
        if contact.email:
            parts.append(f"{say('email')} {own(contact.email)}")
        field("contact", "، ".join(parts) if language.right_to_left else ", ".join(parts))
    paragraphs += [Paragraph(say("absence")), Paragraph(say("closing"))]
    return Section(language, tuple(paragraphs))


def _time(value: time, language: LetterLanguage) -> str:
    return format_time(value, "short", locale=language.locale)


class _Say(Protocol):
    """A letter text in the section's language, its placeholders filled."""

    def __call__(self, key: str, **values: object) -> str: ...


def _start(say: _Say, language: LetterLanguage, day: date, at: time | None) -> str:
    formatted = format_date(day, "full", locale=language.locale)
    return say("start_at", date=formatted, time=_time(at, language)) if at else formatted
