"""What the domain needs to know about courses and people, beyond the event contracts.

A :class:`Seats` is a catalogue course with the seats (and childcare places) still free; an
:class:`Applicant` is a waiting person (*Wartende*) with the survey intake collected. Both are
built by the adapters; the rules, the score and the optimiser only read them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ankommen.shared.events.contracts.assignment import Course, CourseStatus
from ankommen.shared.events.contracts.intake import CourseEntitlement, Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

LEVELS = list(GermanLevel)
#: Statuses in which a course still takes new participants.
BOOKABLE = frozenset({CourseStatus.PLANNED, CourseStatus.OPEN})


def level_index(level: GermanLevel) -> int:
    return LEVELS.index(level)


def district_of(region_key: str) -> str:
    """The district key (*Kreisschlüssel*): the first five digits of any region key."""
    return region_key[:5]


@dataclass(frozen=True)
class Seats:
    """A course with its free seats and free childcare places."""

    course: Course
    free_seats: int
    free_childcare: int

    @property
    def bookable(self) -> bool:
        return self.course.status in BOOKABLE

    def offered(self, districts: Collection[str]) -> bool:
        """Whether allocation may place anybody here: bookable, approved by a coordinator and
        in the county's districts (:mod:`ankommen.assignment.domain.approval`). A draft or a
        course elsewhere is not part of the county's offer at all."""
        return (self.bookable and self.course.approved
                and district_of(self.course.region_key) in districts)

    @property
    def held(self) -> int:
        """Seats already taken by offered or confirmed placements."""
        return self.course.capacity - self.free_seats

    def short_of_minimum(self, today: date, new: int) -> bool:
        """Whether this course would still lack its minimum number of participants with ``new``
        more placements: a course that has not started yet runs only once it has them, so an
        allocation does not start it below its minimum (a started course runs anyway)."""
        return (self.course.starts_on > today
                and self.held + new < self.course.minimum_participants)


@dataclass(frozen=True)
class Applicant:
    """A person on the waiting list, known by pseudonym, with the survey as of now."""

    pseudonym: str
    survey: Survey
    waiting_since: date
    #: Set by the next step (*Förderkette*): only this course type fits.
    wanted_course_type: CourseType | None = None
    previous_provider_id: str | None = None
    #: Courses this person turned down: not offered again.
    declined_course_ids: frozenset[str] = frozenset()
    latitude: float | None = None
    longitude: float | None = None

    @property
    def obliged(self) -> bool:
        return self.survey.course_entitlement is CourseEntitlement.OBLIGED

    @property
    def fast_learner(self) -> bool:
        """Long schooling or German already learned: intensive courses fit."""
        survey = self.survey
        return (survey.schooling_years >= 12 or survey.german_certified
                or level_index(survey.german_level) >= level_index(GermanLevel.A2))
