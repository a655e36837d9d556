"""Events owned by assignment: the course catalogue (courses topic, keyed by course id) and
placements and waiting lists (placements topic, keyed by case pseudonym).

Providers never see a pseudonym: towards them a placement is its referral code. Progress needs
both (it checks a provider's report against the placement), so these events carry both.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.vocabulary import (
    CourseType,
    DistrictKey,
    GermanLevel,
    Month,
    OpaqueId,
    ProviderId,
    Pseudonym,
    ReferralCode,
    RegionKey,
    TimeSlot,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.topics import COURSES, PLACEMENTS


class CourseMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class CourseStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Course(BaseModel):
    """A course in the catalogue, as other services need to know it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: OpaqueId
    provider_id: ProviderId
    title: str = Field(min_length=1, max_length=200)
    course_type: CourseType
    entry_level: GermanLevel
    target_level: GermanLevel
    region_key: RegionKey
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    mode: CourseMode
    schedule: list[TimeSlot] = Field(min_length=1)
    starts_on: date
    ends_on: date
    hours: int = Field(gt=0, le=2000)
    capacity: int = Field(gt=0, le=500)
    minimum_participants: int = Field(ge=0, le=500)
    childcare_places: int = Field(0, ge=0, le=500)
    transport_offered: bool = False
    status: CourseStatus

    @model_validator(mode="after")
    def _consistent(self) -> Course:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on: before starts_on")
        if self.minimum_participants > self.capacity:
            raise ValueError("minimum_participants: above capacity")
        return self


class CourseEvent(EventData):
    topic: ClassVar[str] = COURSES.name
    aggregate_type: ClassVar[str] = "course"


@registry.register
class CoursePublished(CourseEvent):
    """A course entered the catalogue."""

    event_type: ClassVar[str] = "ankommen.assignment.course_published.v1"

    course: Course


@registry.register
class CourseUpdated(CourseEvent):
    """A course changed (dates, capacity, status …): the full new state."""

    event_type: ClassVar[str] = "ankommen.assignment.course_updated.v1"

    course: Course


@registry.register
class CourseCancelled(CourseEvent):
    event_type: ClassVar[str] = "ankommen.assignment.course_cancelled.v1"

    course_id: OpaqueId
    provider_id: ProviderId


class PlacementEvent(EventData):
    topic: ClassVar[str] = PLACEMENTS.name
    aggregate_type: ClassVar[str] = "case"


class Placement(PlacementEvent):
    """Fields every placement event carries."""

    placement_id: OpaqueId
    pseudonym: Pseudonym
    referral_code: ReferralCode
    course_id: OpaqueId
    provider_id: ProviderId


@registry.register
class PlacementOffered(Placement):
    """A seat in a course was offered (*Vermittlung*)."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_offered.v1"

    offered_on: date


@registry.register
class PlacementConfirmed(Placement):
    event_type: ClassVar[str] = "ankommen.assignment.placement_confirmed.v1"


@registry.register
class PlacementDeclined(Placement):
    event_type: ClassVar[str] = "ankommen.assignment.placement_declined.v1"


class WithdrawalReason(StrEnum):
    COURSE_CANCELLED = "course_cancelled"
    CASE_CLOSED = "case_closed"
    REALLOCATED = "reallocated"
    OTHER = "other"


@registry.register
class PlacementWithdrawn(Placement):
    """A placement was taken back; the seat is free again."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_withdrawn.v1"

    reason: WithdrawalReason


class WaitlistReason(StrEnum):
    NO_FITTING_COURSE = "no_fitting_course"
    COURSES_FULL = "courses_full"
    COURSE_BELOW_MINIMUM = "course_below_minimum"


@registry.register
class Waitlisted(PlacementEvent):
    """No seat now: the person waits, with the reason."""

    event_type: ClassVar[str] = "ankommen.assignment.waitlisted.v1"

    pseudonym: Pseudonym
    reason: WaitlistReason
    waiting_since: date


@registry.register
class NextCourseProposed(PlacementEvent):
    """The next step of the support chain (*Förderkette*) after a completed course, decided from
    the level reached and the goals already known: no new survey. A placement follows when a
    fitting seat is free."""

    event_type: ClassVar[str] = "ankommen.assignment.next_course_proposed.v1"

    pseudonym: Pseudonym
    completed_course_id: OpaqueId
    level_reached: GermanLevel
    course_type: CourseType
    target_level: GermanLevel


class WaitingDaysBand(StrEnum):
    """Coarse waiting time: exact days would help re-identify a case."""

    UP_TO_30 = "0-30"
    UP_TO_90 = "31-90"
    UP_TO_180 = "91-180"
    LONGER = "181+"

    @classmethod
    def of(cls, days: int) -> WaitingDaysBand:
        for limit, band in ((30, cls.UP_TO_30), (90, cls.UP_TO_90), (180, cls.UP_TO_180)):
            if days <= limit:
                return band
        return cls.LONGER


@registry.register
class PlacementMadeFact(Fact):
    """Someone was offered a seat: month, district, course type and how long they waited."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_made_fact.v1"

    month: Month
    district: DistrictKey
    course_type: CourseType
    waiting_days: WaitingDaysBand


@registry.register
class WaitlistedFact(Fact):
    """Someone was put on (or kept on) the waiting list, with the reason."""

    event_type: ClassVar[str] = "ankommen.assignment.waitlisted_fact.v1"

    month: Month
    district: DistrictKey
    reason: WaitlistReason
    waiting_days: WaitingDaysBand
