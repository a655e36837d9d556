"""The monthly coordination round (*Koordinierungsrunde*, *Trägerrunde*): the agenda of the
county's meeting with all course providers, read in one unit of work.

Five sections, each computed by the rules the allocation and the day turn apply, so that what
the meeting reads agrees with what the system will do:

1. free seats per course running or starting in or after the month,
2. courses at risk of missing their minimum, with what the minimum rule does on their start
   day (:func:`ankommen.assignment.domain.lifecycle.on_start_day`),
3. people whose course ends soon (from the round's day to six weeks after the month's
   first), with the next step the support chain proposes for them
   (:func:`ankommen.assignment.domain.next_step.next_step`, assuming they reach the course's
   target level), counted per course and per step,
4. the waiting list by need (level × course type × schedule) with waiting times,
5. unmet demand by region with the unmet-demand page's disclosure control
   (:func:`ankommen.assignment.service.queries.demand`).

The month is a parameter; the day the sections are computed for (:attr:`CoordinationRound.as_of`)
is today when today lies in that month, else the month's first (a coming month: planning ahead)
or last day (a past month). Seats, placements and the waiting list are those stored now: a past
month's round shows today's placements, not a reconstruction.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.courses import Seats, district_of, entry_deadline
from ankommen.assignment.domain.demand import UnmetDemand, needed_course_type
from ankommen.assignment.domain.lifecycle import BEFORE_START, StartDecision, on_start_day
from ankommen.assignment.domain.next_step import next_step
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.assignment.service import queries
from ankommen.assignment.service.allocation import applicants
from ankommen.shared.events.contracts.assignment import Course, CourseStatus
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

#: Courses starting within this many weeks of the round's day are checked for their minimum:
#: six weeks are one meeting and a half ahead, time enough to find the missing participants.
AT_RISK_WEEKS = 6
#: Courses ending within this many weeks of the month's first day have their participants'
#: next steps on the agenda: the next course must be found before the present one ends.
ENDING_WEEKS = 6


@dataclass(frozen=True)
class Month:
    """A calendar month (``YYYY-MM``)."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Month:
        year, number = (int(part) for part in text.split("-"))
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"


@dataclass(frozen=True)
class FreeSeats:
    """Section 1: a course of the county's offer in or after the month, and its seats."""

    course: Course
    taken: int
    free: int
    entry_deadline: date
    #: Whether a newcomer may still join on the round's day (its late-entry deadline).
    open_for_entry: bool


@dataclass(frozen=True)
class AtRisk:
    """Section 2: a course that would not start with the placements it holds now."""

    course: Course
    held: int
    missing: int
    #: What the minimum rule does on its start day if nobody is added: postpone or cancel.
    decision: StartDecision
    #: The day that happens (the start day).
    decided_on: date
    #: The new start after a postponement (None for a cancellation).
    new_start: date | None


@dataclass(frozen=True)
class Step:
    """A proposed next step: the course type and target level, or None (the chain ends)."""

    course_type: CourseType | None
    target_level: GermanLevel | None


@dataclass(frozen=True)
class EndingCourse:
    """Section 3: a course ending soon, its participants (pseudonyms only) and their steps."""

    course: Course
    #: (pseudonym, proposed step) per participant holding a seat, by pseudonym.
    participants: list[tuple[str, Step]]

    @property
    def steps(self) -> list[tuple[Step, int]]:
        return _counted(step for _, step in self.participants)


@dataclass(frozen=True)
class WaitingNeed:
    """Section 4: people waiting with the same level, course type needed and schedule."""

    level: GermanLevel
    course_type: CourseType
    #: Time slots the people can attend, sorted (as unmet demand groups them).
    schedule: tuple[str, ...]
    count: int
    median_days: float
    longest_days: int


@dataclass(frozen=True)
class CoordinationRound:
    month: Month
    as_of: date
    districts: list[str]
    free_seats: list[FreeSeats]
    at_risk: list[AtRisk]
    ending: list[EndingCourse]
    waiting: list[WaitingNeed]
    unmet: UnmetDemand
    at_risk_weeks: int = AT_RISK_WEEKS
    ending_weeks: int = ENDING_WEEKS

    @property
    def ending_until(self) -> date:
        return self.month.first_day + timedelta(weeks=self.ending_weeks)

    @property
    def steps(self) -> list[tuple[Step, int]]:
        """Section 3 over all ending courses: how many people each next step concerns."""
        return _counted(step for course in self.ending for _, step in course.participants)


def round_day(month: Month, today: date) -> date:
    """The day a round of ``month`` is computed for: today within the month, else its first
    day (a coming month) or its last (a past one)."""
    return min(max(today, month.first_day), month.last_day)


async def coordination_round(uow: AssignmentUnitOfWork, month: Month, *, today: date,
                             districts: Collection[str], priority: PriorityRules,
                             disclosure_minimum: int, postponement_weeks: int
                             ) -> CoordinationRound:
    """The agenda of ``month``'s coordination round (module docstring)."""
    as_of = round_day(month, today)
    catalogue = [seats for seats in await uow.courses.seats(
        bookable_only=False) if _county_course(seats.course, districts)]
    ending = await _ending_courses(uow, catalogue, month, as_of)
    demand = await queries.demand(uow, disclosure_minimum, today=as_of, priority=priority,
                                  districts=districts)
    return CoordinationRound(
        month=month, as_of=as_of, districts=sorted(districts),
        free_seats=[_free_seats(seats, as_of) for seats in catalogue
                    if seats.course.ends_on >= as_of],
        at_risk=[risk for seats in catalogue
                 if (risk := _at_risk(seats, as_of, postponement_weeks)) is not None],
        ending=ending, waiting=await _waiting_by_need(uow, as_of), unmet=demand.unmet)


def _county_course(course: Course, districts: Collection[str]) -> bool:
    """A course of the county's offer: approved, in its districts, not cancelled."""
    return (course.approved and district_of(course.region_key) in districts
            and course.status is not CourseStatus.CANCELLED)


def _free_seats(seats: Seats, as_of: date) -> FreeSeats:
    deadline = entry_deadline(seats.course)
    return FreeSeats(seats.course, seats.held, max(seats.free_seats, 0), deadline,
                     as_of <= deadline and as_of < seats.course.ends_on)


def _at_risk(seats: Seats, as_of: date, postponement_weeks: int) -> AtRisk | None:
    course = seats.course
    # Only courses the day turn will still start, postpone or cancel (planned or open).
    if course.status not in BEFORE_START \
            or not as_of < course.starts_on <= as_of + timedelta(weeks=AT_RISK_WEEKS):
        return None
    # The rule as the day turn applies it on the start day, with the seats held now (a course
    # that has not started has nobody enrolled yet).
    decision = on_start_day(course, seats.held, 0, course.starts_on)
    if decision is StartDecision.START:
        return None
    new_start = (course.starts_on + timedelta(weeks=postponement_weeks)
                 if decision is StartDecision.POSTPONE else None)
    return AtRisk(course, seats.held, course.minimum_participants - seats.held, decision,
                  course.starts_on, new_start)


async def _ending_courses(uow: AssignmentUnitOfWork, catalogue: list[Seats], month: Month,
                          as_of: date) -> list[EndingCourse]:
    """Courses ending from the round's day to ``ENDING_WEEKS`` after the month's first (one
    that ended already has nobody left to find a next course for)."""
    until = month.first_day + timedelta(weeks=ENDING_WEEKS)
    courses = sorted((seats.course for seats in catalogue
                      if as_of <= seats.course.ends_on <= until),
                     key=lambda course: (course.ends_on, course.title, course.course_id))
    placements = uow.placements
    held = {course.course_id: sorted(record.pseudonym for record in
                                     await placements.active_in_course(course.course_id))
            for course in courses}
    surveys = await uow.cases.of_waiting(
        sorted({pseudonym for people in held.values() for pseudonym in people}))
    ending: list[EndingCourse] = []
    for course in courses:
        participants: list[tuple[str, Step]] = []
        for pseudonym in held[course.course_id]:
            known = surveys.get(pseudonym)
            step = next_step(known[0], course.course_type, course.target_level) \
                if known else None
            participants.append((pseudonym, Step(step.course_type, step.target_level)
                                 if step else Step(None, None)))
        ending.append(EndingCourse(course, participants))
    return ending


async def _waiting_by_need(uow: AssignmentUnitOfWork, as_of: date) -> list[WaitingNeed]:
    waited: defaultdict[tuple[GermanLevel, CourseType, tuple[str, ...]], list[int]] = \
        defaultdict(list)
    for person in await applicants(uow):
        if person.waiting_since > as_of:
            continue
        survey = person.survey
        key = (survey.german_level, needed_course_type(person),
               tuple(sorted(slot.value for slot in survey.availability)))
        waited[key].append((as_of - person.waiting_since).days)
    needs = [WaitingNeed(level, course_type, schedule, len(days), statistics.median(days),
                         max(days)) for (level, course_type, schedule), days in waited.items()]
    needs.sort(key=lambda need: (-need.count, list(GermanLevel).index(need.level),
                                 need.course_type.value, need.schedule))
    return needs


def _counted(steps: Iterable[Step]) -> list[tuple[Step, int]]:
    """How many people each step concerns, the most common first."""
    counts = Counter(steps)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].course_type or "",
                                                    item[0].target_level or ""))
