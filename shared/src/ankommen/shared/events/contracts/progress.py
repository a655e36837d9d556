"""Events owned by progress (participation topic, keyed by case pseudonym): what providers
reported, after validation against the placement.

Every event names the provider's ``report_id``; a correction is a new event whose
``corrects_report_id`` names the report it replaces (the original stays in the history). The
provider-report contract of the provider topics is defined here too, by progress.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ankommen.shared.events.contracts.vocabulary import (
    GermanLevel,
    OpaqueId,
    Pseudonym,
    ReferralCode,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.topics import PARTICIPATION


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
    skills: dict[Skill, GermanLevel] = Field(default_factory=dict)


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
