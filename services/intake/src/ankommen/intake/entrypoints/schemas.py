"""Request and response bodies of intake's HTTP API (documented in its OpenAPI)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from ankommen.intake.domain.audit import Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.duplicates import Candidate, SuspicionStatus
from ankommen.intake.domain.identity import (
    Alias,
    Identity,
    Name,
    plausible_birth_date,
    validation_today,
)
from ankommen.intake.service.register_arrival import Decision
from ankommen.shared.events.contracts.intake import ClosureReason, Survey
from ankommen.shared.events.contracts.vocabulary import ReferralCode


def _in_utc(value: datetime) -> datetime:
    """Stored in UTC; SQLite returns it without the zone, which is not an RFC 3339
    date-time (found by the schema fuzzing)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: A moment read back from the database, always with its zone.
StoredMoment = Annotated[datetime, AfterValidator(_in_utc)]


def _not_in_future(value: date | None, info: ValidationInfo) -> date | None:
    today = validation_today(info)
    if value is not None and today is not None and value > today:
        raise PydanticCustomError("date_in_future", "must not be in the future")
    return value


class SurveyAnswers(Survey):
    """The survey as asked in the interview: everything but the age, which intake derives
    from the birth date on the day of intake."""

    # Wider than Survey's ``int`` on purpose: absent here, derived by intake. A SurveyAnswers
    # is never used as a Survey (only its model_dump() is), so the override breaks nothing.
    age_years: SkipJsonSchema[int | None] = Field(None, exclude=True)  # pyright: ignore[reportIncompatibleVariableOverride]

    @field_validator("age_years")
    @classmethod
    def _derived(cls, value: int | None) -> int | None:
        if value is not None:
            raise ValueError("derived from identity.birth_date; do not send it")
        return value


class Resolution(BaseModel):
    """Staff's answer to a duplicate warning."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    case_id: uuid.UUID | None = Field(None, description="With same_person: the existing case")

    @model_validator(mode="after")
    def _case_for_same_person(self) -> Resolution:
        if self.decision is Decision.SAME_PERSON and self.case_id is None:
            raise ValueError("case_id: required with 'same_person'")
        return self


class RegistrationRequest(BaseModel):
    """An arrival: the identity (encrypted at once) and the survey (pseudonymous)."""

    model_config = ConfigDict(extra="forbid")

    identity: Identity
    survey: SurveyAnswers
    registered_on: date | None = Field(None, description="Day of intake; defaults to today")
    resolution: Resolution | None = Field(
        None, description="Only after a duplicate warning (409): the staff's decision")

    @field_validator("registered_on")
    @classmethod
    def _registered_on_not_in_future(cls, value: date | None, info: ValidationInfo
                                     ) -> date | None:
        return _not_in_future(value, info)


class CaseResponse(BaseModel):
    case_id: uuid.UUID
    pseudonym: str = Field(description="The case's pseudonym, the only id other services see")
    registered_on: date
    survey: Survey
    closed_on: date | None = None
    closure_reason: ClosureReason | None = None

    @classmethod
    def of(cls, case: Case) -> CaseResponse:
        return cls(case_id=case.case_id, pseudonym=case.pseudonym,
                   registered_on=case.registered_on, survey=case.survey,
                   closed_on=case.closed_on, closure_reason=case.closure_reason)


class AliasResponse(Alias):
    """An earlier spelling of the person, kept when staff confirmed "same person" or merged
    a case into this one."""

    recorded_at: datetime


class CaseRecordResponse(CaseResponse):
    identity: Identity
    aliases: list[AliasResponse] = Field(default_factory=list[AliasResponse], description=(
        "Earlier spellings of the person (at most 20, oldest first), used by the duplicate "
        "check"))


class CandidateResponse(BaseModel):
    case_id: uuid.UUID
    score: float = Field(ge=0, le=1)
    registered_on: date | None

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateResponse:
        return cls(case_id=candidate.case_id, score=candidate.score,
                   registered_on=candidate.registered_on)


class SearchRequest(BaseModel):
    """Names and birth date travel in the body, never in the URL (URLs end up in logs)."""

    model_config = ConfigDict(extra="forbid")

    family_name: Name
    given_names: Name
    birth_date: date
    purpose: Purpose = Purpose.COUNSELLING

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date, info: ValidationInfo) -> date:
        return plausible_birth_date(value, validation_today(info))


class SearchResponse(BaseModel):
    matches: list[CandidateResponse]


def _optional(name: str) -> tuple[object, FieldInfo]:
    field = copy.copy(Survey.model_fields[name])
    field.default = None
    field.default_factory = None
    # A type form (a class, a union, Annotated …): only the runtime can widen it by None.
    annotation: Any = field.annotation
    return annotation | None, field


if TYPE_CHECKING:
    class SurveyCorrection(BaseModel):
        """A correction of the survey, as the type checker sees it: its fields are made
        from Survey's at import (below), so that the two cannot drift apart."""
else:
    #: A correction of the survey: any subset of its answers (the age is derived, not
    #: editable).
    _CORRECTABLE: dict[str, Any] = {name: _optional(name) for name in Survey.model_fields
                                    if name != "age_years"}
    SurveyCorrection = create_model(
        "SurveyCorrection", __config__=ConfigDict(extra="forbid"), **_CORRECTABLE)


class SurveyUpdateResponse(CaseResponse):
    changed_fields: list[str] = Field(description="Fields announced in SurveyUpdated")


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ClosureReason
    closed_on: date | None = Field(None, description="Defaults to today")

    @field_validator("closed_on")
    @classmethod
    def _closed_on_not_in_future(cls, value: date | None, info: ValidationInfo
                                 ) -> date | None:
        return _not_in_future(value, info)


class SuspicionResponse(BaseModel):
    suspicion_id: uuid.UUID
    case_id: uuid.UUID
    other_case_id: uuid.UUID
    score: float
    status: SuspicionStatus
    detected_at: datetime
    resolved_at: datetime | None


class SuspicionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: uuid.UUID
    other_case_id: uuid.UUID


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surviving_case_id: uuid.UUID


class AuditEntryResponse(BaseModel):
    entry_id: int
    at: StoredMoment
    actor: str
    role: str
    action: str
    case_id: uuid.UUID | None
    purpose: str | None
    recipient: str | None = Field(None, description="A disclosure's recipient (provider id)")
    disclosed: str | None = Field(None, description="Which fields a disclosure contained "
                                                    "(names, phone, email)")
    actor_name: str | None = Field(
        None, description="The person's name as the county's identity provider gave it "
                          "(`name`, else `preferred_username`); absent for `ankommen token`")
    actor_issuer: str | None = Field(
        None, description="The identity provider (issuer) whose subject `actor` is; absent "
                          "for `ankommen token`")


class DisclosureResponse(BaseModel):
    """One disclosure of this person's data to a recipient (GDPR Art. 15(1)(c)): when, to
    whom, which fields — never the values."""

    at: StoredMoment
    recipient_kind: Literal["course_provider"] = Field(
        description="What kind of recipient received the data")
    recipient: str = Field(description="The recipient's id (the course provider's)")
    fields: list[str] = Field(description="Which fields were disclosed: names, phone, email")
    purpose: str | None = Field(description="Why the data were disclosed")


class ExportResponse(BaseModel):
    """All intake stores about the person: case, identity, survey, suspicions, audit, and
    the recipients their data were disclosed to."""

    case: CaseRecordResponse
    duplicate_suspicions: list[SuspicionResponse]
    audit: list[AuditEntryResponse]
    disclosures: list[DisclosureResponse] = Field(description=(
        "Every disclosure of the person's data to a recipient outside intake, oldest first"))


class ContactRequest(BaseModel):
    """A provider asks for the contact details of its participants, by referral code (in the
    body, never in the URL)."""

    model_config = ConfigDict(extra="forbid")

    referral_codes: list[ReferralCode] = Field(min_length=1, max_length=500)


class ContactResponse(BaseModel):
    """What the person consented to share with the provider of their confirmed placement."""

    referral_code: str
    family_name: str
    given_names: str
    phone: str | None = Field(None, description="Only with consent to contact by phone")
    email: str | None = Field(None, description="Only with consent to contact by e-mail")


class ContactDisclosure(BaseModel):
    contacts: list[ContactResponse] = Field(description=(
        "One entry per requested code that is a confirmed placement in one of your courses "
        "of a person who consented; other codes are left out without saying why."))
