"""Events owned by progress (participation topic, keyed by case pseudonym): what providers
reported, after validation against the placement.

Every event names the provider's ``report_id``; a correction is a new event whose
``corrects_report_id`` names the report it replaces (the original stays in the history). The
provider-report contract of the provider topics is defined here too, by progress.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.vocabulary import (
    CourseType,
    DistrictKey,
    GermanLevel,
    Month,
    OpaqueId,
    Pseudonym,
    ReferralCode,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.topics import (
    PARTICIPATION,
    PROVIDER_REJECTIONS,
    PROVIDER_REPORTS,
    provider_rejections_topic,
)


class ParticipationEvent(EventData):
    topic: ClassVar[str] = PARTICIPATION.name
    aggregate_type: ClassVar[str] = "case"

    pseudonym: Pseudonym
    referral_code: ReferralCode
    course_id: OpaqueId
    report_id: OpaqueId
    corrects_report_id: OpaqueId | None = None


class DiscontinuationReason(StrEnum):
    MOVED_AWAY = "moved_away"
    WORK = "work"
    ILLNESS = "illness"
    CHILDCARE = "childcare"
    TRANSPORT = "transport"
    OVERTAXED = "overtaxed"
    OTHER = "other"
    UNKNOWN = "unknown"


@registry.register
class ParticipantEnrolled(ParticipationEvent):
    event_type: ClassVar[str] = "ankommen.progress.participant_enrolled.v1"

    started_on: date


@registry.register
class AttendanceRecorded(ParticipationEvent):
    event_type: ClassVar[str] = "ankommen.progress.attendance_recorded.v1"

    period_start: date
    period_end: date
    hours_attended: float = Field(ge=0)
    hours_planned: float = Field(gt=0)


class ExamType(StrEnum):
    DTZ = "dtz"  # Deutsch-Test für Zuwanderer (A2/B1)
    LIFE_IN_GERMANY = "life_in_germany"  # Leben in Deutschland
    JOB_RELATED = "job_related"  # DTB, telc Beruf …
    OTHER = "other"


class Skill(StrEnum):
    LISTENING = "listening"
    READING = "reading"
    WRITING = "writing"
    SPEAKING = "speaking"


@registry.register
class ExamResultRecorded(ParticipationEvent):
    """An exam result; with ``corrects_report_id`` it replaces an earlier one."""

    event_type: ClassVar[str] = "ankommen.progress.exam_result_recorded.v1"

    exam: ExamType
    taken_on: date
    passed: bool
    level_reached: GermanLevel | None = None
    skills: dict[Skill, GermanLevel] = Field(default_factory=dict[Skill, GermanLevel])


@registry.register
class CourseCompleted(ParticipationEvent):
    """The participant finished the course; the level reached drives the next step."""

    event_type: ClassVar[str] = "ankommen.progress.course_completed.v1"

    completed_on: date
    level_reached: GermanLevel | None = None


@registry.register
class CourseDiscontinued(ParticipationEvent):
    """The participant left the course early; the seat is free again."""

    event_type: ClassVar[str] = "ankommen.progress.course_discontinued.v1"

    discontinued_on: date
    reason: DiscontinuationReason


class InterruptionReason(StrEnum):
    """Why a participant paused (*Unterbrechung*); the same coarse categories as dropouts."""

    ILLNESS = "illness"
    CHILDCARE = "childcare"
    PREGNANCY = "pregnancy"
    WORK = "work"
    TRAVEL = "travel"
    OTHER = "other"
    UNKNOWN = "unknown"


@registry.register
class ParticipationInterrupted(ParticipationEvent):
    """The participant paused the course; the seat stays theirs."""

    event_type: ClassVar[str] = "ankommen.progress.participation_interrupted.v1"

    interrupted_on: date
    reason: InterruptionReason


@registry.register
class ParticipationResumed(ParticipationEvent):
    """The participant is back after an interruption."""

    event_type: ClassVar[str] = "ankommen.progress.participation_resumed.v1"

    resumed_on: date


class ReportKind(StrEnum):
    """What a provider report says; also the ``kind`` discriminator of :data:`Report`."""

    ENROLMENT = "enrolment"
    ATTENDANCE = "attendance"
    INTERRUPTION = "interruption"
    RESUMPTION = "resumption"
    EXAM_RESULT = "exam_result"
    COMPLETION = "completion"
    DISCONTINUATION = "discontinuation"
    RETRACTION = "retraction"


class CorrectionAction(StrEnum):
    CORRECTED = "corrected"
    RETRACTED = "retracted"


@registry.register
class ReportCorrected(ParticipationEvent):
    """Audit event: report ``report_id`` corrected or retracted the earlier report
    ``corrects_report_id``. A correction is also announced by the corrected event itself
    (e.g. an :class:`ExamResultRecorded` with ``corrects_report_id``); the original stays in
    the history."""

    event_type: ClassVar[str] = "ankommen.progress.report_corrected.v1"

    # Required here, optional in the base. Pydantic allows that (a model has no dataclass
    # field-order rule) and the models are frozen (``model_config``, which pyright cannot
    # see), so the narrower type is sound; the published schema depends on it.
    corrects_report_id: OpaqueId  # pyright: ignore[reportIncompatibleVariableOverride, reportGeneralTypeIssues]
    action: CorrectionAction
    original_kind: ReportKind


# --- The provider-report contract (inbound, from providers' own systems) -------------------


class ReportBase(BaseModel):
    """Fields every provider report carries, on every channel (web form, CSV, HTTP, Kafka).

    ``report_id`` is chosen by the provider and is its idempotency key: the same id again is
    a duplicate, not a second report. ``corrects_report_id`` turns a report into a correction
    of an earlier one (of the same kind); a ``retraction`` withdraws the earlier report.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    report_id: OpaqueId
    referral_code: ReferralCode
    corrects_report_id: OpaqueId | None = None


class EnrolmentReport(ReportBase):
    kind: Literal["enrolment"]
    started_on: date


class AttendanceReport(ReportBase):
    kind: Literal["attendance"]
    period_start: date
    period_end: date
    hours_attended: float = Field(ge=0, le=2000)
    hours_planned: float = Field(gt=0, le=2000)

    @model_validator(mode="after")
    def _consistent(self) -> AttendanceReport:
        if self.period_end < self.period_start:
            raise ValueError("period_end: before period_start")
        if self.hours_attended > self.hours_planned:
            raise ValueError("hours_attended: more than hours_planned")
        return self


class InterruptionReport(ReportBase):
    kind: Literal["interruption"]
    interrupted_on: date
    reason: InterruptionReason


class ResumptionReport(ReportBase):
    kind: Literal["resumption"]
    resumed_on: date


class ExamResultReport(ReportBase):
    kind: Literal["exam_result"]
    exam: ExamType
    taken_on: date
    passed: bool
    level_reached: GermanLevel | None = None
    skills: dict[Skill, GermanLevel] = Field(default_factory=dict[Skill, GermanLevel])


class CompletionReport(ReportBase):
    kind: Literal["completion"]
    completed_on: date
    level_reached: GermanLevel | None = None


class DiscontinuationReport(ReportBase):
    kind: Literal["discontinuation"]
    discontinued_on: date
    reason: DiscontinuationReason


class RetractionReport(ReportBase):
    """Withdraws the report ``corrects_report_id`` (which must be given)."""

    kind: Literal["retraction"]
    # Required here, optional in the base: sound for a frozen model (see ReportCorrected).
    corrects_report_id: OpaqueId  # pyright: ignore[reportIncompatibleVariableOverride, reportGeneralTypeIssues]


#: One provider report, discriminated by ``kind``.
Report = Annotated[
    EnrolmentReport | AttendanceReport | InterruptionReport | ResumptionReport
    | ExamResultReport | CompletionReport | DiscontinuationReport | RetractionReport,
    Field(discriminator="kind"),
]


@registry.register
class ProviderReportSubmitted(EventData):
    """A report a provider's own system put on its own topic
    ``ankommen.provider.<provider_id>.reports``, keyed by the referral code.

    The report is the provider's whose topic it came on — only that provider's principal may
    write the topic; the envelope ``source`` must say the same (``/providers/<provider_id>``)
    or the report is refused, never attributed to whom it names. ``report`` is one
    :data:`Report` object; it is validated by progress like every other channel, so that a
    faulty report becomes a rejection the provider can read on its own
    ``ankommen.provider.<provider_id>.rejections`` rather than a dead letter only operators
    see.
    """

    event_type: ClassVar[str] = "ankommen.provider.report_submitted.v1"
    topic: ClassVar[str] = PROVIDER_REPORTS.name  # the template: one topic per provider
    aggregate_type: ClassVar[str] = "referral"
    carries_trace_context: ClassVar[bool] = False

    report: dict[str, Any] = Field(description="One progress report object, discriminated "
                                               "by `kind` (see the progress API schema).")


#: Envelope ``source`` prefix by which a provider names itself on its topic (checked against
#: the topic: it never decides whose report it is).
PROVIDER_SOURCE_PREFIX = "/providers/"


class RejectionReason(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(max_length=100)
    reason: str = Field(max_length=300)


@registry.register
class ProviderReportRejected(EventData):
    """Progress refused a provider's report: which field, and why. Keyed by referral code
    (or the report id when the code itself was unreadable), on the rejections topic of the
    provider whose reports topic the report came on, which only that provider reads."""

    event_type: ClassVar[str] = "ankommen.progress.provider_report_rejected.v1"
    topic: ClassVar[str] = PROVIDER_REJECTIONS.name  # the template: one topic per provider
    aggregate_type: ClassVar[str] = "referral"
    carries_trace_context: ClassVar[bool] = False

    provider_id: str | None = Field(None, max_length=64)
    report_id: str | None = Field(None, max_length=64)
    referral_code: str | None = Field(None, max_length=64)
    errors: list[RejectionReason] = Field(min_length=1)

    def destination(self) -> str:
        """The provider's own rejections topic (a rejection for no provider has none)."""
        if self.provider_id is None:
            raise ValueError("a rejection goes to a provider's rejections topic: "
                             "provider_id is missing")
        return provider_rejections_topic(self.provider_id).name


# --- Facts for monitoring (no pseudonym, no exact dates) ------------------------------------


class AttendanceBand(StrEnum):
    """Share of planned hours attended, in coarse bands."""

    BELOW_50 = "below_50"
    FROM_50_TO_75 = "50_to_75"
    FROM_75_TO_90 = "75_to_90"
    AT_LEAST_90 = "at_least_90"
    UNKNOWN = "unknown"


class ExamOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_TAKEN = "not_taken"


class CourseOutcome(StrEnum):
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


@registry.register
class CourseOutcomeFact(Fact):
    """A participation ended: how (completed or discontinued), with attendance band, exam
    outcome, course type, the course's district, the month it ended and the weeks in course."""

    event_type: ClassVar[str] = "ankommen.progress.course_outcome_fact.v1"

    outcome: CourseOutcome
    discontinuation_reason: DiscontinuationReason | None = None
    attendance_band: AttendanceBand
    exam_outcome: ExamOutcome
    level_reached: GermanLevel | None = None
    #: The German level the participant started the course with: the level reached in their
    #: previous course, else the level at intake; None when progress does not know it.
    level_at_start: GermanLevel | None = None
    course_type: CourseType
    district: DistrictKey
    month: Month
    weeks_in_course: int = Field(ge=0, le=520)


@registry.register
class ExamResultFact(Fact):
    """An exam was taken: exam type, outcome and level, course type, district, month."""

    event_type: ClassVar[str] = "ankommen.progress.exam_result_fact.v1"

    exam: ExamType
    outcome: ExamOutcome
    level_reached: GermanLevel | None = None
    course_type: CourseType
    district: DistrictKey
    month: Month
