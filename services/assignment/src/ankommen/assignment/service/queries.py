"""Read-only views for coordinators: the course list (*Sprachkursliste*), the waiting list,
unmet demand. They compute from the same rules as the allocation, so the lists agree with it."""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.assignment.adapters.catalogue import CourseRepository, in_district
from ankommen.assignment.domain.demand import UnmetDemand, unmet_demand
from ankommen.assignment.domain.eligibility import structurally_eligible
from ankommen.assignment.service.allocation import applicants
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.assignment import Course


@dataclass(frozen=True)
class CourseListEntry:
    course: Course
    free_seats: int
    #: People on the waiting list this course would fit.
    waiting: int


async def course_list(uow: UnitOfWork, *, district: str | None = None,
                      level: str | None = None) -> list[CourseListEntry]:
    """Every planned or open course with its free seats and waiting-list length."""
    people = await applicants(uow)
    entries = []
    for seats in await CourseRepository(uow.session).seats():
        course = seats.course
        if not in_district(course, district) or (level and course.entry_level != level):
            continue
        waiting = sum(structurally_eligible(person, seats) for person in people)
        entries.append(CourseListEntry(course, seats.free_seats, waiting))
    return entries


async def demand(uow: UnitOfWork, minimum: int) -> UnmetDemand:
    people = await applicants(uow)
    courses = await CourseRepository(uow.session).seats()
    unserved = [person for person in people
                if not any(structurally_eligible(person, seats) for seats in courses)]
    return unmet_demand(unserved, minimum)

