"""The catalogue repository: courses and their free seats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, case, func, insert, select, update
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


def _course(row: Row[Any]) -> Course:
    values = dict(row._mapping)  # pyright: ignore[reportPrivateUsage] - SQLAlchemy's public row-as-mapping accessor
    values["schedule"] = values["schedule"].split(",")
    return Course.model_validate({name: values[name] for name in Course.model_fields})


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
        result: list[Seats] = []
        for row in await self._session.execute(query):
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
