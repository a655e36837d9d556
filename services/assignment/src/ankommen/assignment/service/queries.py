"""Read-only views for coordinators: the course list (*Sprachkursliste*), the waiting list,
unmet demand. They compute from the same rules as the allocation, so the lists agree with it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ankommen.assignment.adapters.catalogue import in_district
from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.allocation import allocate
from ankommen.assignment.domain.demand import UnmetDemand, unmet_demand
from ankommen.assignment.domain.eligibility import structurally_eligible
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.assignment.service.allocation import applicants
from ankommen.shared.events.contracts.assignment import Course, WaitlistReason


@dataclass(frozen=True)
class CourseListEntry:
    course: Course
    free_seats: int
    #: People on the waiting list this course would fit.
    waiting: int


async def course_list(uow: AssignmentUnitOfWork, *, districts: Collection[str], today: date,
                      district: str | None = None,
                      level: str | None = None) -> list[CourseListEntry]:
    """Every planned or open course of the county's offer (approved, in its ``districts``,
    open for entry on ``today``) with its free seats and waiting-list length: drafts are not
    published, and neither is a course nobody can join any more."""
    people = await applicants(uow)
    entries: list[CourseListEntry] = []
    for seats in await uow.courses.seats():
        course = seats.course
        if not seats.offered(districts, today) or not in_district(course, district) \
                or (level and course.entry_level != level):
            continue
        waiting = sum(structurally_eligible(person, seats) for person in people)
        entries.append(CourseListEntry(course, seats.free_seats, waiting))
    return entries


@dataclass(frozen=True)
class CourseBelowMinimum:
    """A course an allocation now would not start: too few participants yet."""

    course: Course
    #: Placements it already holds.
    held: int
    #: People waiting only because this (or another too small) course is not starting.
    waiting: int


@dataclass(frozen=True)
class Demand:
    unmet: UnmetDemand
    below_minimum: list[CourseBelowMinimum]


async def demand(uow: AssignmentUnitOfWork, minimum: int, *, today: date,
                 priority: PriorityRules, districts: Collection[str]) -> Demand:
    """People no course can serve (grouped), and the courses that would serve people if they
    reached their minimum — as an allocation run now would see them."""
    people = await applicants(uow)
    courses = [seats for seats in await uow.courses.seats()
               if seats.offered(districts, today)]
    unserved = [person for person in people
                if not any(structurally_eligible(person, seats) for seats in courses)]
    allocation = allocate(people, courses, today, priority,
                          await uow.placements.provider_load())
    held_back = {waiting.pseudonym for waiting in allocation.waiting
                 if waiting.reason is WaitlistReason.COURSE_BELOW_MINIMUM}
    below = [CourseBelowMinimum(seats.course, seats.held,
                                sum(structurally_eligible(person, seats) for person in people
                                    if person.pseudonym in held_back))
             for seats in courses if seats.course.course_id in allocation.below_minimum]
    return Demand(unmet_demand(unserved, minimum), below)

