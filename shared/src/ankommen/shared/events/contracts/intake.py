"""Events owned by intake, on the cases topic, keyed by the case pseudonym; and intake's
de-identified facts for monitoring, on the facts topic.

They carry the pseudonym and the pseudonymous survey (brief section 4) — never identity: no
names, birth dates, birth places, contact data or file numbers. Facts carry not even the
pseudonym.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.vocabulary import (
    DistrictKey,
    GermanLevel,
    LanguageCode,
    Month,
    Pseudonym,
    RegionKey,
    TimeSlot,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.topics import CASES
from ankommen.shared.text import SHOWN_TEXT


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNSPECIFIED = "unspecified"


class SchoolQualification(StrEnum):
    """Highest school qualification, mapped to German equivalents."""

    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"  # Hauptschulabschluss-equivalent
    INTERMEDIATE = "intermediate"  # Mittlerer Schulabschluss-equivalent
    UPPER_SECONDARY = "upper_secondary"  # Hochschulreife-equivalent
    UNKNOWN = "unknown"


class ResidenceStatus(StrEnum):
    EU_CITIZEN = "eu_citizen"
    ASYLUM_SEEKER = "asylum_seeker"
    RECOGNISED_REFUGEE = "recognised_refugee"
    SUBSIDIARY_PROTECTION = "subsidiary_protection"
    TOLERATED = "tolerated"  # Duldung
    TEMPORARY_PROTECTION = "temporary_protection"  # e.g. Ukrainians, §24 AufenthG
    SKILLED_WORKER = "skilled_worker"
    FAMILY_REUNIFICATION = "family_reunification"
    OTHER = "other"


class CourseEntitlement(StrEnum):
    """Whether the person may (*berechtigt*) or must (*verpflichtet*) attend an integration
    course."""

    OBLIGED = "obliged"
    ENTITLED = "entitled"
    NOT_ENTITLED = "not_entitled"
    UNKNOWN = "unknown"


class ObligingAuthority(StrEnum):
    JOB_CENTRE = "job_centre"
    FOREIGNERS_OFFICE = "foreigners_office"


class Goal(StrEnum):
    WORK = "work"
    VOCATIONAL_TRAINING = "vocational_training"
    SCHOOL_QUALIFICATION = "school_qualification"
    UNIVERSITY = "university"


class ChildcareAgeBand(StrEnum):
    UNDER_3 = "under_3"
    FROM_3_TO_5 = "3_to_5"
    FROM_6_TO_11 = "6_to_11"


class Consent(StrEnum):
    """What the person agreed to, beyond the processing the law requires."""

    SHARE_CONTACT_WITH_PROVIDER = "share_contact_with_provider"
    CONTACT_BY_PHONE = "contact_by_phone"
    CONTACT_BY_EMAIL = "contact_by_email"


class Survey(BaseModel):
    """The pseudonymous survey (*Erstbefragung*), shared with assignment and progress.

    Collected once at intake; everything here is used downstream (placement rules, reports,
    facts). Identity is not part of it and never will be.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    age_years: int = Field(ge=0, le=110, description="Age in years at intake (derived)")
    gender: Gender
    region_key: RegionKey
    first_languages: list[LanguageCode] = Field(min_length=1, max_length=5)
    other_languages: list[LanguageCode] = Field(default_factory=list, max_length=10)
    german_level: GermanLevel
    german_certified: bool = False
    reads_latin_script: bool = Field(description="Reads and writes Latin script")
    literate_other_script: bool = Field(False, description="Literate in another script")
    schooling_years: int = Field(ge=0, le=30)
    school_qualification: SchoolQualification
    vocational_qualification: bool = False
    vocational_field: Annotated[str, StringConstraints(max_length=80), SHOWN_TEXT] | None = None
    university_degree: bool = False
    university_field: Annotated[str, StringConstraints(max_length=80), SHOWN_TEXT] | None = None
    recognition_wanted: bool = Field(False, description="Recognition of a foreign "
                                                       "qualification wanted")
    work_experience_years: int = Field(0, ge=0, le=60)
    residence_status: ResidenceStatus
    course_entitlement: CourseEntitlement
    obliged_by: ObligingAuthority | None = None
    goals: list[Goal] = Field(default_factory=list[Goal])
    children_needing_care: int = Field(0, ge=0, le=20)
    childcare_age_bands: list[ChildcareAgeBand] = Field(default_factory=list[ChildcareAgeBand])
    max_travel_minutes: int = Field(ge=0, le=240)
    own_transport: bool = False
    can_attend_online: bool = False
    availability: list[TimeSlot] = Field(min_length=1)
    shift_work: bool = False
    employed: bool = False
    interview_language: LanguageCode
    interpreter_used: bool = False
    consents: list[Consent] = Field(default_factory=list[Consent])

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        if self.obliged_by is not None and self.course_entitlement is not CourseEntitlement.OBLIGED:
            raise PydanticCustomError("only_when_obliged",
                                      "{field}: only for course_entitlement 'obliged'",
                                      {"field": "obliged_by"})
        if self.children_needing_care == 0 and self.childcare_age_bands:
            raise PydanticCustomError("no_children_need_care", "{field}: no children need care",
                                      {"field": "childcare_age_bands"})
        return self

    @property
    def needs_literacy_course(self) -> bool:
        return not self.reads_latin_script

    @property
    def needs_childcare(self) -> bool:
        return self.children_needing_care > 0


def _field_adapter(name: str, field: FieldInfo) -> TypeAdapter[Any]:
    if field.annotation is None:
        raise TypeError(f"survey field {name} has no type")
    return TypeAdapter(field.annotation)


_SURVEY_FIELDS = {name: _field_adapter(name, field) for name, field in
                  Survey.model_fields.items()}


class CaseEvent(EventData):
    """Base of intake's case events: on the cases topic, keyed by pseudonym."""

    topic: ClassVar[str] = CASES.name
    aggregate_type: ClassVar[str] = "case"


@registry.register
class CaseRegistered(CaseEvent):
    """A new case (*Fall*) was registered at intake: the pseudonym and the survey."""

    event_type: ClassVar[str] = "ankommen.intake.case_registered.v1"

    pseudonym: Pseudonym
    registered_on: date
    survey: Survey


@registry.register
class SurveyUpdated(CaseEvent):
    """Survey answers changed (a correction, or a new level): only the changed fields."""

    event_type: ClassVar[str] = "ankommen.intake.survey_updated.v1"

    pseudonym: Pseudonym
    changes: dict[str, Any] = Field(min_length=1)

    @field_validator("changes")
    @classmethod
    def _known_fields_and_valid_values(cls, changes: dict[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in _SURVEY_FIELDS:
                raise ValueError(f"{name}: not a survey field")
            checked[name] = _SURVEY_FIELDS[name].validate_python(value)
        return checked

    def apply_to(self, survey: Survey) -> Survey:
        """The survey after these changes (validated as a whole)."""
        return Survey.model_validate({**survey.model_dump(), **self.changes})


class ClosureReason(StrEnum):
    CHAIN_COMPLETED = "chain_completed"
    MOVED_AWAY = "moved_away"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


@registry.register
class CaseClosed(CaseEvent):
    """The pathway of this case ended; no further placements."""

    event_type: ClassVar[str] = "ankommen.intake.case_closed.v1"

    pseudonym: Pseudonym
    closed_on: date
    reason: ClosureReason


@registry.register
class CaseErased(CaseEvent):
    """The person's data was erased: every service deletes every row of this pseudonym."""

    event_type: ClassVar[str] = "ankommen.intake.case_erased.v1"

    pseudonym: Pseudonym


@registry.register
class CasesMerged(CaseEvent):
    """Two cases turned out to be one person: rows of ``merged_pseudonym`` move to
    ``surviving_pseudonym`` (keyed by the merged pseudonym, so it follows that case's events)."""

    event_type: ClassVar[str] = "ankommen.intake.cases_merged.v1"

    surviving_pseudonym: Pseudonym
    merged_pseudonym: Pseudonym


class AgeBand(StrEnum):
    """Coarse age at intake; the youth band matches the youth integration course (under 27)."""

    UNDER_18 = "under_18"
    FROM_18_TO_26 = "18_to_26"
    FROM_27_TO_44 = "27_to_44"
    FROM_45_TO_64 = "45_to_64"
    FROM_65 = "65_plus"

    @classmethod
    def of(cls, age_years: int) -> AgeBand:
        for upper, band in ((18, cls.UNDER_18), (27, cls.FROM_18_TO_26),
                            (45, cls.FROM_27_TO_44), (65, cls.FROM_45_TO_64)):
            if age_years < upper:
                return band
        return cls.FROM_65


class SchoolingBand(StrEnum):
    """Coarse years of schooling."""

    NONE = "none"
    FROM_1_TO_6 = "1_to_6"
    FROM_7_TO_9 = "7_to_9"
    FROM_10_TO_12 = "10_to_12"
    FROM_13 = "13_plus"

    @classmethod
    def of(cls, years: int) -> SchoolingBand:
        for upper, band in ((1, cls.NONE), (7, cls.FROM_1_TO_6), (10, cls.FROM_7_TO_9),
                            (13, cls.FROM_10_TO_12)):
            if years < upper:
                return band
        return cls.FROM_13


@registry.register
class ArrivalRecorded(Fact):
    """Someone arrived and was registered, described by coarse attributes only (no pseudonym,
    no exact dates): the one arrival fact per arrival (it replaced the retired ``ArrivalFact``)."""

    event_type: ClassVar[str] = "ankommen.intake.arrival_recorded.v1"

    month: Month
    district: DistrictKey
    age_band: AgeBand
    gender: Gender
    german_level: GermanLevel
    reads_latin_script: bool
    schooling_band: SchoolingBand
    needs_childcare: bool
    residence_status: ResidenceStatus


@registry.register
class ArrivalFact(Fact):
    """Retired: the skeleton's arrival fact (month, district, German level at intake).

    Intake no longer publishes it — ``ArrivalRecorded`` describes every arrival, once. The
    type stays registered so that facts already on the topic still decode (monitoring counts
    them as unused, and a rebuild from offset 0 neither refuses nor double-counts them)."""

    event_type: ClassVar[str] = "ankommen.intake.arrival_fact.v1"
    retired: ClassVar[bool] = True

    month: Month
    district: DistrictKey
    german_level: GermanLevel
