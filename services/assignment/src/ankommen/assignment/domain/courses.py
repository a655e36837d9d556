"""What the domain needs to know about courses and people, beyond the event contracts.

A :class:`Seats` is a catalogue course with the seats (and childcare places) still free; an
:class:`Applicant` is a waiting person (*Wartende*) with the survey intake collected. Both are
built by the adapters; the rules, the score and the optimiser only read them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from ankommen.shared.events.contracts.assignment import Course, CourseStatus
from ankommen.shared.events.contracts.intake import CourseEntitlement, Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

LEVELS = list(GermanLevel)
#: Statuses in which a course may still take new participants — its dates decide whether it
#: does (:func:`open_for_entry`). Running is one of them: the day turn sets a course running
#: on its start day, and it takes newcomers until its late-entry deadline.
BOOKABLE = frozenset({CourseStatus.PLANNED, CourseStatus.OPEN, CourseStatus.RUNNING})


#: Late entry without an end date to measure a share of: the first four weeks.
NO_END_ENTRY_WEEKS = 4


def entry_deadline(course: Course) -> date:
    """The last day a course takes new participants (*Nachrückfrist*): the coordinator's
    ``entry_until`` if set, else the start plus a quarter of the course's duration (rounded
    down). A language course can be joined in its first weeks, while the class still works on
    what the newcomer can catch up; near its end a newcomer only occupies a seat and fails the
    exam. A course without an end date (the contract requires one; this only guards old data)
    takes newcomers for four weeks after its start."""
    if course.entry_until is not None:
        return course.entry_until
    return _default_deadline(course.starts_on, course.ends_on)


def _default_deadline(starts_on: date, ends_on: date | None) -> date:
    """The start plus a quarter of the duration; ``ends_on`` is optional here because data
    stored before the contract required it may lack it."""
    if ends_on is None:
        return starts_on + timedelta(weeks=NO_END_ENTRY_WEEKS)
    return starts_on + (ends_on - starts_on) // 4


def open_for_entry(course: Course, today: date) -> bool:
    """Whether a seat in ``course`` may be offered on ``today`` (the county's day), whatever
    its stored status says: on or before its entry deadline and before its last day. Status is
    set by people and lags behind the calendar; dates do not (issue 16: offers in courses that
    had ended). On its last day a course is not ended yet, but an offer made then could never
    be taken up (the provider confirms and enrols after the offer)."""
    return today <= entry_deadline(course) and today < course.ends_on


def ended(course: Course, today: date) -> bool:
    """A course past its last day has ended, whether or not anybody set its status."""
    return today > course.ends_on


def shown_status(course: Course, today: date) -> str:
    """The status a coordinator sees: derived from the dates wherever they say more than the
    stored status (nobody has to click "ended" or "running"); a cancellation stays one."""
    if course.status is CourseStatus.CANCELLED:
        return course.status.value
    if ended(course, today):
        return "ended"
    if today >= course.starts_on:
        return CourseStatus.RUNNING.value
    return course.status.value


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

    def offered(self, districts: Collection[str], today: date) -> bool:
        """Whether allocation may place anybody here on ``today``: bookable, approved by a
        coordinator, in the county's districts (:mod:`ankommen.assignment.domain.approval`)
        and open for entry by its dates (:func:`open_for_entry`). A draft or a course
        elsewhere is not part of the county's offer at all; an ended course or one past its
        entry deadline is no longer."""
        return (self.bookable and self.course.approved
                and district_of(self.course.region_key) in districts
                and open_for_entry(self.course, today))

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
