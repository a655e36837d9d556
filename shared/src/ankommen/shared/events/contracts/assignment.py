"""Events owned by assignment: the course catalogue (courses topic, keyed by course id) and
placements and waiting lists (placements topic, keyed by case pseudonym).

Providers never see a pseudonym: towards them a placement is its referral code. Progress needs
both (it checks a provider's report against the placement), so these events carry both.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

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
from ankommen.shared.messaging.topics import COURSES, PLACEMENTS
from ankommen.shared.text import SHOWN_TEXT


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


class CourseApproval(StrEnum):
    """Whether a coordinator of the county approved the course (*Freigabe*). Only an approved
    course takes placements, and only its placements may see contact details: a course is
    the county's offer once the county said so, not when a provider entered it."""

    #: Entered (or changed) by its provider, waiting for a coordinator.
    DRAFT = "draft"
    APPROVED = "approved"
    #: Sent back to the provider with a reason; the provider's next change resubmits it.
    RETURNED = "returned"


#: A line of an address or a name printed on a letter: no control or direction characters.
LetterText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=120), SHOWN_TEXT]


class Venue(BaseModel):
    """Where a course meets (*Kursort*): printed on the person's invitation letter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: LetterText
    street: LetterText
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
    city: LetterText


class CourseContact(BaseModel):
    """Whom a participant calls about the course: a person or an office of the provider.
    Business contact data of the provider, never a participant's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: LetterText
    phone: Annotated[str | None, StringConstraints(
        strip_whitespace=True, pattern=r"^\+?[0-9 ()/-]{4,30}$")] = None
    email: Annotated[str, StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        SHOWN_TEXT] | None = None


class Course(BaseModel):
    """A course in the catalogue, as other services need to know it.

    The fields from ``provider_name`` to ``what_to_bring`` are what intake prints on a
    person's invitation letter; they are optional so that events from before the letter
    existed stay valid (the letter then leaves out what it does not know)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: OpaqueId
    provider_id: ProviderId
    #: Shown to coordinators, providers and in exports: no control or direction characters.
    title: Annotated[str, StringConstraints(min_length=1, max_length=200), SHOWN_TEXT]
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
    #: The last day the course takes new participants (*Nachrückfrist*), set by the
    #: coordinator; absent: assignment uses its default (docs/assignment.md).
    entry_until: date | None = Field(
        None, description="Last day the course takes new participants (late-entry deadline). "
                          "Absent: start plus a quarter of the course's duration.")
    #: Days a person's offer waits for the provider's confirmation before it expires, set per
    #: course by the coordinator; absent: assignment's default (docs/assignment.md).
    offer_response_days: int | None = Field(
        None, ge=1, le=60,
        description="Days an offer in this course waits for confirmation before it expires "
                    "and the seat goes back to allocation. Absent: the county's default.")
    #: Set by assignment when it postponed the course for lacking its minimum (the original
    #: start); a postponed course is cancelled if it lacks the minimum again.
    postponed_from: date | None = Field(
        None, description="Set by assignment (a request's value is ignored): the original "
                          "start of a course postponed for lacking its minimum.")
    hours: int = Field(gt=0, le=2000)
    capacity: int = Field(gt=0, le=500)
    minimum_participants: int = Field(ge=0, le=500)
    childcare_places: int = Field(0, ge=0, le=500)
    transport_offered: bool = False
    status: CourseStatus
    #: Set by assignment, never by the client (what a request sends here is ignored). Absent
    #: only in events published before approval existed: a consumer treats it as a draft.
    approval: CourseApproval | None = Field(
        None, description="Set by assignment (a request's value is ignored): draft until a "
                          "coordinator approves; only an approved course takes placements. "
                          "Absent in events from before approval existed: treat as draft.")
    provider_name: LetterText | None = Field(
        None, description="The provider's name as participants know it (the letter prints "
                          "it; provider_id is a slug).")
    venue: Venue | None = Field(None, description="Where the course meets.")
    daily_start: time | None = Field(
        None, description="When a course day starts (the first session: starts_on at this "
                          "time), local time of the county.")
    daily_end: time | None = Field(None, description="When a course day ends (local time).")
    contact: CourseContact | None = Field(
        None, description="Whom participants call or write about the course (the provider's "
                          "office or a person there).")
    what_to_bring: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=300), SHOWN_TEXT] | None = Field(
        None, description="What to bring to the first session, in German. Absent: the "
                          "letter's standard list (ID or residence permit, the BAMF "
                          "entitlement or obligation letter, something to write with).")

    @property
    def approved(self) -> bool:
        return self.approval is CourseApproval.APPROVED

    @model_validator(mode="after")
    def _consistent(self) -> Course:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on: before starts_on")
        if self.entry_until is not None and not self.starts_on <= self.entry_until \
                <= self.ends_on:
            raise ValueError("entry_until: outside the course period")
        if self.minimum_participants > self.capacity:
            raise ValueError("minimum_participants: above capacity")
        if any(each is not None and each.tzinfo is not None
               for each in (self.daily_start, self.daily_end)):
            raise ValueError("daily_start: a local time of the county, without a time zone")
        if self.daily_start is not None and self.daily_end is not None \
                and self.daily_end <= self.daily_start:
            raise ValueError("daily_end: not after daily_start")
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
    #: The last day the provider may confirm the offer; after it the offer expires. Absent
    #: in events from before offers expired.
    expires_on: date | None = None


@registry.register
class PlacementConfirmed(Placement):
    event_type: ClassVar[str] = "ankommen.assignment.placement_confirmed.v1"


@registry.register
class PlacementDeclined(Placement):
    event_type: ClassVar[str] = "ankommen.assignment.placement_declined.v1"


class WithdrawalReason(StrEnum):
    COURSE_CANCELLED = "course_cancelled"
    #: The course lacked its minimum on its start day and starts later: its people wait again
    #: with their place and may be offered a course that starts sooner.
    COURSE_POSTPONED = "course_postponed"
    #: The course ended before the placement became an enrolment.
    COURSE_ENDED = "course_ended"
    CASE_CLOSED = "case_closed"
    REALLOCATED = "reallocated"
    OTHER = "other"


@registry.register
class PlacementWithdrawn(Placement):
    """A placement was taken back; the seat is free again."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_withdrawn.v1"

    reason: WithdrawalReason


@registry.register
class PlacementExpired(Placement):
    """An offer nobody confirmed by its ``expires_on``: taken back automatically, the seat is
    free again and the person waits with their original place."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_expired.v1"

    expired_on: date


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


class WaitingWeeksBand(StrEnum):
    """Coarse time in whole weeks begun (e.g. between the end of one course and the placement
    in the next): exact weeks would help re-identify a case."""

    UP_TO_6 = "0-6"
    UP_TO_13 = "7-13"
    UP_TO_26 = "14-26"
    LONGER = "27+"

    @classmethod
    def of(cls, weeks: int) -> WaitingWeeksBand:
        for limit, band in ((6, cls.UP_TO_6), (13, cls.UP_TO_13), (26, cls.UP_TO_26)):
            if weeks <= limit:
                return band
        return cls.LONGER


#: Waiting times are capped here: everything longer than a year is "52 weeks or more".
MAX_WAITING_WEEKS = 52


def weeks_begun(days: int) -> int:
    """Whole weeks begun (*angefangene Wochen*), capped at a year: 0 days → 0, 1–7 → 1,
    36–42 → 6. So "within 6 weeks" (≤ 42 days) is exactly ``weeks_begun(days) <= 6``."""
    return min(MAX_WAITING_WEEKS, -(-max(0, days) // 7))


@registry.register
class PlacementMadeFact(Fact):
    """Someone was offered a seat: month, district, course type and how long they waited —
    from arrival (registration) for a first placement, from the end of the previous course for
    the next course of the support chain (``next_course``)."""

    event_type: ClassVar[str] = "ankommen.assignment.placement_made_fact.v1"

    month: Month
    district: DistrictKey
    course_type: CourseType
    waiting_days: WaitingDaysBand
    #: Whole weeks begun on the waiting list (0–52, capped). Absent only in facts published
    #: before the field existed.
    waiting_weeks: int | None = Field(None, ge=0, le=MAX_WAITING_WEEKS)
    #: Whether this placement continues the support chain after an earlier course of the same
    #: person (then a ``CourseTransitionFact`` describes the step); false for a first placement.
    next_course: bool = False


@registry.register
class WaitlistedFact(Fact):
    """Someone was put on (or kept on) the waiting list, with the reason."""

    event_type: ClassVar[str] = "ankommen.assignment.waitlisted_fact.v1"

    month: Month
    district: DistrictKey
    reason: WaitlistReason
    waiting_days: WaitingDaysBand


@registry.register
class DemandUnmetFact(Fact):
    """Someone waited without a seat during the month (*ungedeckter Bedarf*): the course type
    that would serve them and why there was no seat. Published at most once per person and
    month (at the first allocation run of the month that leaves them waiting), so a month's
    count is the number of people who waited in it — the waiting-list length — and its
    ``no_fitting_course`` / ``course_below_minimum`` rows are the gaps in the offer."""

    event_type: ClassVar[str] = "ankommen.assignment.demand_unmet_fact.v1"

    month: Month
    district: DistrictKey
    course_type_wanted: CourseType
    reason: WaitlistReason


@registry.register
class CourseCapacityFact(Fact):
    """Seats of one course type in one district in one month: offered (the capacity of the
    courses running or open for booking) and taken (active placements in them).

    A snapshot, not an increment: assignment publishes one whenever the figures of a
    (month, district, course type) change, and at the first change of a new month for every
    pair that has courses. Monitoring keeps, per month × district × course type, the snapshot
    with the greatest ``sequence`` (ties broken by record key), so the month's capacity is its
    state at the end of the month — never a sum of snapshots.

    ``sequence`` orders the snapshots because the envelope time no longer can: like every
    fact's, it says only the month. It was added later as an optional field (schema v1
    stays): snapshots without it are ordered by their envelope time, as before, and before
    any snapshot with one (monitoring must be upgraded first: it refuses unknown fields)."""

    event_type: ClassVar[str] = "ankommen.assignment.course_capacity_fact.v1"

    month: Month
    district: DistrictKey
    course_type: CourseType
    seats_offered: int = Field(ge=0, le=100_000)
    #: May exceed the seats offered when a course's capacity was cut below its placements.
    seats_taken: int = Field(ge=0, le=100_000)
    sequence: int | None = Field(
        None, ge=1, le=2 ** 62,
        description="Orders the snapshots of one district and course type: greater is later "
                    "(assignment's counter per district × course type, which only increases).")


@registry.register
class CourseTransitionFact(Fact):
    """Someone who ended a course was placed in the next one (*Förderkette*): from which course
    type to which, and how long after the end of the earlier course (a band)."""

    event_type: ClassVar[str] = "ankommen.assignment.course_transition_fact.v1"

    month: Month
    district: DistrictKey
    from_course_type: CourseType
    to_course_type: CourseType
    weeks_between: WaitingWeeksBand
