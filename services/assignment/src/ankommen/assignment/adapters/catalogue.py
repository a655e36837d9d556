"""The catalogue repository: courses and their free seats.

Every consumed batch reads the whole catalogue (its free seats decide whom the batch's
allocation considers), so reading a course must be cheap: a row is validated into a
:class:`Course` once, and the same row read again gets the same (immutable) course back
(:class:`_ValidatedCourses`) — at 14 registrations a second in batches of one, validating 70
courses per batch was a fifth of assignment's CPU (docs/performance.md, B4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import course_reviews, courses, placements
from ankommen.assignment.domain.courses import BOOKABLE, Seats, district_of
from ankommen.assignment.domain.lifecycle import BEFORE_START
from ankommen.assignment.domain.placement import ACTIVE
from ankommen.shared.events.contracts.assignment import Course, CourseApproval, CourseStatus


def _row(course: Course) -> dict[str, object]:
    values = course.model_dump(mode="python")
    values["schedule"] = ",".join(slot.value for slot in course.schedule)
    for name in ("course_type", "entry_level", "target_level", "mode", "status"):
        values[name] = values[name].value
    values["approval"] = (course.approval or CourseApproval.DRAFT).value
    return values


#: The courses table's columns in :class:`Course`'s field order (they are the same names);
#: venue and contact are JSON, read back as dicts.
_COURSE_COLUMNS = tuple(Course.model_fields)
_JSON_COLUMNS = ("venue", "contact")
_PLAIN_COLUMNS = tuple(name for name in _COURSE_COLUMNS if name not in _JSON_COLUMNS)


def _validated(values: dict[str, Any]) -> Course:
    values["schedule"] = values["schedule"].split(",")
    return Course.model_validate(values)


class _ValidatedCourses:
    """Courses by the exact content of their row: a row read before (every column equal) is
    the course validated then, so a catalogue read costs a tuple per unchanged course instead
    of a validation. Keyed by content, not by course id, it needs no invalidation — a changed
    row is a new key, in whichever process or transaction it changed — and it is right for
    any database. Bounded: emptied when it holds more rows than a county has courses many
    times over."""

    LIMIT = 20_000

    def __init__(self) -> None:
        #: By the plain columns' values: the JSON columns' values (compared, being dicts,
        #: which do not hash) and the course.
        self._by_row: dict[tuple[Any, ...], tuple[tuple[Any, ...], Course]] = {}

    def course(self, row: Row[Any]) -> Course:
        mapping = row._mapping  # pyright: ignore[reportPrivateUsage] - SQLAlchemy's public row-as-mapping accessor
        key = tuple(mapping[name] for name in _PLAIN_COLUMNS)
        documents = tuple(mapping[name] for name in _JSON_COLUMNS)
        found = self._by_row.get(key)
        if found is not None and found[0] == documents:
            return found[1]
        if len(self._by_row) >= self.LIMIT:
            self._by_row.clear()
        course = _validated({name: mapping[name] for name in _COURSE_COLUMNS})
        self._by_row[key] = (documents, course)
        return course


_courses = _ValidatedCourses()


def _course(row: Row[Any]) -> Course:
    return _courses.course(row)


def _seats_query(*, bookable_only: bool) -> Select[Any]:
    """Every course with the seats and childcare places held by its active placements."""
    active = and_(placements.c.course_id == courses.c.course_id,
                  placements.c.status.in_([status.value for status in ACTIVE]))
    taken = (select(func.count()).where(active).correlate(courses).scalar_subquery())
    childcare = (select(func.coalesce(func.sum(case((placements.c.childcare, 1), else_=0)),
                                      0)).where(active).correlate(courses)
                 .scalar_subquery())
    query = select(courses, taken.label("taken"), childcare.label("childcare_taken")) \
        .order_by(courses.c.starts_on, courses.c.course_id)
    if bookable_only:
        query = query.where(courses.c.status.in_([status.value for status in BOOKABLE]))
    return query


#: Built once: each batch's allocation reads the catalogue.
_SEATS = {bookable_only: _seats_query(bookable_only=bookable_only)
          for bookable_only in (False, True)}


class CourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, course: Course) -> None:
        await self._session.execute(insert(courses).values(**_row(course)))

    async def replace(self, course: Course) -> None:
        await self._session.execute(update(courses).where(
            courses.c.course_id == course.course_id).values(**_row(course)))

    async def get(self, course_id: str) -> Course | None:
        row = (await self._session.execute(
            select(courses).where(courses.c.course_id == course_id))).first()
        return _course(row) if row else None

    async def list(self, *, provider_id: str | None = None) -> list[Course]:
        query = select(courses).order_by(courses.c.starts_on, courses.c.course_id)
        if provider_id is not None:
            query = query.where(courses.c.provider_id == provider_id)
        return [_course(row) for row in await self._session.execute(query)]

    async def due_to_start(self, today: date) -> list[Course]:
        """Courses still planned or open whose start day has come (index on status and
        ``starts_on``): the day turn starts, postpones or cancels them."""
        return [_course(row) for row in await self._session.execute(
            select(courses).where(courses.c.status.in_(sorted(BEFORE_START)),
                                  courses.c.starts_on <= today)
            .order_by(courses.c.starts_on, courses.c.course_id))]

    async def running_past_end(self, today: date) -> list[Course]:
        """Running courses whose last day lies before ``today`` (index on status and
        ``ends_on``): the day turn completes them."""
        return [_course(row) for row in await self._session.execute(
            select(courses).where(courses.c.status == CourseStatus.RUNNING.value,
                                  courses.c.ends_on < today)
            .order_by(courses.c.ends_on, courses.c.course_id))]

    async def seats(self, *, bookable_only: bool = True) -> list[Seats]:
        """Courses with the seats and childcare places not held by an active placement."""
        result: list[Seats] = []
        for row in await self._session.execute(_SEATS[bookable_only]):
            course = _course(row)
            result.append(Seats(course, course.capacity - row.taken,
                                course.childcare_places - row.childcare_taken))
        return result


@dataclass(frozen=True)
class CourseReview:
    """One decision on a course's approval: who, in which role, when, and why (a return)."""

    course_id: str
    decision: CourseApproval
    actor: str
    role: str
    at: datetime
    note: str | None = None


class CourseReviewLog:
    """The audit trail of approvals: rows are only ever added."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, review: CourseReview) -> None:
        await self._session.execute(insert(course_reviews).values(
            course_id=review.course_id, decision=review.decision.value, actor=review.actor,
            role=review.role, at=review.at, note=review.note))

    async def of_course(self, course_id: str) -> list[CourseReview]:
        rows = await self._session.execute(select(course_reviews).where(
            course_reviews.c.course_id == course_id).order_by(course_reviews.c.id))
        return [CourseReview(row.course_id, CourseApproval(row.decision), row.actor, row.role,
                             row.at, row.note) for row in rows]


def in_district(course: Course, district: str | None) -> bool:
    return district is None or district_of(course.region_key) == district
