"""The invitation letter (*Einladungsschreiben*): what it says, in which languages.

Once a placement is confirmed, intake staff print a short letter for the person: which course,
where, when it starts, what to bring and whom to call — in German (the official text, which
the provider and any helper can read) and in the person's language (so that the person can).
Intake prints it because it needs the person's name, and the name never leaves intake.

Languages are ISO 639-3 codes, as the survey stores the person's first languages. Each has a
Babel locale for dates and times (names of months and weekdays in that language), a writing
direction and the script whose font the letter needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.shared.events.contracts.assignment import CourseContact, Venue


class Script(StrEnum):
    """The scripts the letter's fonts cover (see :mod:`..adapters.letter_pdf`)."""

    LATIN_CYRILLIC = "latin_cyrillic"
    ARABIC = "arabic"
    ETHIOPIC = "ethiopic"


@dataclass(frozen=True)
class LetterLanguage:
    #: ISO 639-3, as stored in the survey.
    code: str
    #: The German name shown to staff (CLDR's, except Dari which CLDR names only by region).
    german_name: str
    #: Babel locale for dates and times.
    locale: str
    script: Script
    right_to_left: bool = False


#: The letter's own language: always printed first.
GERMAN = LetterLanguage("deu", "Deutsch", "de", Script.LATIN_CYRILLIC)

#: The languages a letter can be printed in besides German, most frequent arrivals first.
LETTER_LANGUAGES: dict[str, LetterLanguage] = {language.code: language for language in (
    LetterLanguage("ara", "Arabisch", "ar", Script.ARABIC, right_to_left=True),
    LetterLanguage("ukr", "Ukrainisch", "uk", Script.LATIN_CYRILLIC),
    LetterLanguage("prs", "Dari", "fa_AF", Script.ARABIC, right_to_left=True),
    LetterLanguage("fas", "Persisch (Farsi)", "fa", Script.ARABIC, right_to_left=True),
    LetterLanguage("pus", "Paschtu", "ps", Script.ARABIC, right_to_left=True),
    LetterLanguage("tur", "Türkisch", "tr", Script.LATIN_CYRILLIC),
    LetterLanguage("rus", "Russisch", "ru", Script.LATIN_CYRILLIC),
    LetterLanguage("tir", "Tigrinya", "ti", Script.ETHIOPIC),
    LetterLanguage("som", "Somali", "so", Script.LATIN_CYRILLIC),
    LetterLanguage("eng", "Englisch", "en", Script.LATIN_CYRILLIC),
)}


#: Every language a letter can be asked for: German alone, too (for a person who reads it).
PRINTABLE: dict[str, LetterLanguage] = {**LETTER_LANGUAGES, GERMAN.code: GERMAN}


def default_language(first_languages: list[str]) -> LetterLanguage | None:
    """The first of the person's first languages that a letter exists for; None when there
    is none (staff then choose: German alone is not assumed, the person may not read it)."""
    for code in first_languages:
        if code in LETTER_LANGUAGES:
            return LETTER_LANGUAGES[code]
    return None


@dataclass(frozen=True)
class RecordedPlacement:
    """A placement of one of intake's cases as intake recorded it."""

    referral_code: str
    pseudonym: str
    course_id: str
    status: PlacementStatus


@dataclass(frozen=True)
class CourseDetails:
    """What intake knows of a course for a letter (assignment's catalogue events). Optional
    parts are absent for courses announced before the letter existed; the letter then leaves
    the line out rather than guess."""

    course_id: str
    provider_id: str
    starts_on: date
    title: str | None = None
    provider_name: str | None = None
    venue: Venue | None = None
    daily_start: time | None = None
    daily_end: time | None = None
    contact: CourseContact | None = None
    #: The provider's own list, in German; absent: the standard list.
    what_to_bring: str | None = None

    @property
    def provider(self) -> str:
        """The provider as the person will see it on the door: its name, else its id."""
        return self.provider_name or self.provider_id


@dataclass(frozen=True)
class Invitation:
    """Everything a letter prints, before it is put in words: the person's name (decrypted
    for this letter only) and the course."""

    family_name: str
    given_names: str
    course: CourseDetails
    #: The date printed as the letter's date (the service's clock).
    issued_on: date


class Style(StrEnum):
    TITLE = "title"
    TEXT = "text"
    #: A "label: value" line.
    FIELD = "field"
    #: An item of a list (what to bring).
    ITEM = "item"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Style = Style.TEXT


@dataclass(frozen=True)
class Section:
    """The letter's text in one language, ready to be laid out in that language's script and
    direction."""

    language: LetterLanguage
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Letter:
    """The whole letter: who sends it, to whom, and its text in German and in the person's
    language (German first: the official text, which anyone helping the person can read)."""

    sender: str
    addressee: str
    #: "Datum: …, Vermittlungsnummer: …" in German (the letter's reference line).
    reference: str
    sections: tuple[Section, ...]
