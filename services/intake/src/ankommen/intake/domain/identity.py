"""A person's identity (brief section 4): who they are, kept apart from the survey.

Identity never leaves intake in plaintext: it is encrypted before it is stored
(:mod:`ankommen.intake.adapters.crypto`) and reaches other services only as a random pseudonym.
The rules here make it plausible before anything is stored or compared; the survey's age is
derived from the birth date on the day of intake, so the two cannot disagree.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from enum import StrEnum
from typing import Annotated, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ankommen.intake.domain.countries import is_country_code
from ankommen.shared.text import SHOWN_TEXT, PersonName

MAX_AGE_YEARS = 110

#: Names are shown to staff and, on a placement, to the course provider: no control or
#: direction characters (:mod:`ankommen.shared.text`).
Name = PersonName
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                               pattern=r"^[A-Za-z]{3}$")]


def age_on(birth_date: date, day: date) -> int:
    """Completed years of life on ``day`` (a person born 29 February ages on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


#: The service's "today" (from its clock) for the request being validated. FastAPI validates
#: a request body without a validation context, so intake's API sets this (a dependency of
#: its router, which runs before the body is validated) instead.
REQUEST_DAY: ContextVar[date | None] = ContextVar("request_day", default=None)


def validation_today(info: ValidationInfo) -> date | None:
    """The service's "today" for checks against the calendar: the validation context's
    (``{"today": runtime.clock.today()}``, as the pages pass it) or the request's
    (:data:`REQUEST_DAY`). Models cannot hold a clock; without either (e.g. a stored identity
    read back) nothing is checked against the calendar."""
    context: object = info.context
    # The context is whatever the caller passed: a dict of unknown keys and values at best.
    today = (cast("dict[object, object]", context).get("today") if isinstance(context, dict)
             else None)
    return today if isinstance(today, date) else REQUEST_DAY.get()


def plausible_birth_date(value: date, today: date | None) -> date:
    """Not in the future, and no older than :data:`MAX_AGE_YEARS` ``today`` (no check
    without a day to check against)."""
    if today is None:
        return value
    if value > today:
        raise PydanticCustomError("date_in_future", "must not be in the future")
    if age_on(value, today) > MAX_AGE_YEARS:
        raise PydanticCustomError("age_implausible", "gives an age over {max_years} years",
                                  {"max_years": MAX_AGE_YEARS})
    return value


def _country(code: str) -> str:
    if not is_country_code(code):
        raise PydanticCustomError("country_code", "not an ISO 3166-1 alpha-3 country code")
    return code


class FileNumberKind(StrEnum):
    """Numbers other agencies gave the person; equal numbers mean the same person."""

    FEDERAL_OFFICE = "federal_office"  # BAMF Aktenzeichen
    FOREIGNERS_OFFICE = "foreigners_office"  # Ausländerbehörde
    JOB_CENTRE = "job_centre"  # BG-Nummer / Kundennummer
    CENTRAL_REGISTER = "central_register"  # AZR-Nummer
    OTHER = "other"


class FileNumber(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FileNumberKind
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                             max_length=40,
                                             pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")]

    @property
    def normalised(self) -> str:
        """Separators and case do not make a different number."""
        return "".join(char for char in self.number.upper() if char.isalnum())


class Address(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    street: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=120), SHOWN_TEXT]
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=80), SHOWN_TEXT]
    care_of: Annotated[str, StringConstraints(max_length=120), SHOWN_TEXT] | None = Field(
        None, description="c/o, e.g. a shelter")


class Identity(BaseModel):
    """Who the person is. Encrypted at rest; only intake staff see it, and every look is
    audited."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family_name: Name
    given_names: Name
    birth_date: date
    birth_place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100),
                           SHOWN_TEXT] | None = None
    birth_country: CountryCode | None = None
    nationalities: list[CountryCode] = Field(default_factory=list, max_length=5)
    phone: Annotated[str, StringConstraints(strip_whitespace=True,
                                            pattern=r"^\+?[0-9][0-9 ()/-]{4,24}$")] \
        | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                     SHOWN_TEXT] | None = None
    address: Address | None = None
    file_numbers: list[FileNumber] = Field(default_factory=list[FileNumber], max_length=5)

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date, info: ValidationInfo) -> date:
        return plausible_birth_date(value, validation_today(info))

    @field_validator("birth_country")
    @classmethod
    def _known_birth_country(cls, value: str | None) -> str | None:
        return None if value is None else _country(value)

    @field_validator("nationalities")
    @classmethod
    def _known_nationalities(cls, values: list[str]) -> list[str]:
        checked = [_country(value) for value in values]
        if len(set(checked)) != len(checked):
            raise PydanticCustomError("listed_twice", "lists a nationality twice")
        return checked

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


#: At most this many aliases are kept per case; beyond it the oldest is dropped. Each alias
#: is decrypted and scored whenever its case is a candidate, so the bound keeps a duplicate
#: check's cost per candidate bounded too; twenty spellings of one person is far beyond
#: what staff meet.
MAX_ALIASES = 20


class Alias(BaseModel):
    """An earlier spelling of a person (*Alias*, *andere Schreibweise*): what an identity
    was recorded as before staff confirmed "same person" with a new spelling, or what a case
    merged into this one was recorded as. Kept so that a later registration written like it
    still finds the case. Only what the duplicate check compares is kept — contact details
    are not a spelling, and the current ones are in the identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family_name: Name
    given_names: Name
    birth_date: date
    birth_place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100),
                           SHOWN_TEXT] | None = None
    birth_country: CountryCode | None = None
    nationalities: list[CountryCode] = Field(default_factory=list, max_length=5)
    file_numbers: list[FileNumber] = Field(default_factory=list[FileNumber], max_length=5)

    @classmethod
    def of(cls, identity: Identity) -> Alias:
        return cls.model_validate(identity.model_dump(include=set(cls.model_fields)))

    def as_identity(self) -> Identity:
        """The alias as an identity without contact details: compared and indexed exactly
        like one."""
        return Identity.model_validate(self.model_dump())
