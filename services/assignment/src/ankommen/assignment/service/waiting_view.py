"""The waiting list as a coordinator works through it: filtered by why people wait, their
level, where they live, the course type they need and how long they have waited, and for each
person the next course that could take them and what still stands in the way.

The filters are codes (a reason, a level, a region key, a course type, a number of days), so a
filtered list can be bookmarked without any person's data in its address. The next course is
judged by the allocation's own rules (:mod:`ankommen.assignment.domain.eligibility`) over the
county's offer as the next allocation sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.courses import Applicant, Seats, district_of
from ankommen.assignment.domain.demand import needed_course_type
from ankommen.assignment.domain.eligibility import seat_outcomes, structural_outcomes
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.assignment.service.allocation import waiting_applicants
from ankommen.shared.events.contracts.assignment import Course, WaitlistReason
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel


class WaitedLonger(IntEnum):
    """The waiting-time filter: longer than this many days (30, 60, 90)."""

    MONTH = 30
    TWO_MONTHS = 60
    THREE_MONTHS = 90


@dataclass(frozen=True)
class WaitingFilters:
    reason: WaitlistReason | None = None
    level: GermanLevel | None = None
    #: A district key (five digits) or a municipality key (eight).
    region: str | None = None
    course_type: CourseType | None = None
    waited: WaitedLonger | None = None

    def keep(self, person: WaitingPerson, applicant: Applicant, today: date) -> bool:
        region = person.region_key
        return ((self.reason is None or person.reason == self.reason.value)
                and (self.level is None or person.german_level is self.level)
                and (self.region is None or region == self.region
                     or (len(self.region) == 5 and district_of(region) == self.region))
                and (self.course_type is None
                     or needed_course_type(applicant) is self.course_type)
                and (self.waited is None
                     or (today - person.waiting_since).days > self.waited))


@dataclass(frozen=True)
class WaitingRow:
    person: WaitingPerson
    waited_days: int
    needed: CourseType
    #: The course that comes closest (fewest rules failing, then earliest start), if any.
    next_course: Course | None
    #: The rules that course still fails for this person (empty: it fits, a seat is free).
    missing: list[str]


def closest_course(applicant: Applicant, offer: list[Seats]) -> tuple[Course | None, list[str]]:
    """The course of ``offer`` this person is closest to taking, and the rules it fails."""
    best: tuple[int, date, str] | None = None
    found: tuple[Course | None, list[str]] = (None, [])
    for seats in offer:
        failed = [outcome.rule for outcome in structural_outcomes(applicant, seats)
                  + seat_outcomes(applicant, seats) if not outcome.passed]
        rank = (len(failed), seats.course.starts_on, seats.course.course_id)
        if best is None or rank < best:
            best, found = rank, (seats.course, failed)
    return found


async def waiting_rows(uow: AssignmentUnitOfWork, filters: WaitingFilters, *, today: date,
                       districts: frozenset[str]) -> list[WaitingRow]:
    """The people waiting that match ``filters``, longest waiting first, with their next
    possible course."""
    offer = [seats for seats in await uow.courses.seats()
             if seats.offered(districts, today)]
    rows: list[WaitingRow] = []
    for person, applicant in await waiting_applicants(uow):
        if not filters.keep(person, applicant, today):
            continue
        course, missing = closest_course(applicant, offer)
        rows.append(WaitingRow(person, (today - person.waiting_since).days,
                               needed_course_type(applicant), course, missing))
    return rows
