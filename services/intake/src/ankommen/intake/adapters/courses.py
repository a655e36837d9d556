"""Intake's record of assignment's courses (all its queries about them): what a disclosure
needs to know of a placement's course, and what the person's invitation letter prints."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import courses
from ankommen.intake.domain.disclosure import CourseFacts
from ankommen.intake.domain.letter import CourseDetails
from ankommen.shared.clock import Clock
from ankommen.shared.events.contracts.assignment import CourseContact, Venue


class CourseRepository:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        #: Dates what this records (the service's clock: a test can move it).
        self._clock = clock

    async def save(self, course: CourseFacts, details: CourseDetails | None = None) -> None:
        """``details``: what the letter prints; None keeps what is recorded."""
        values = {"provider_id": course.provider_id, "region_key": course.region_key,
                  "starts_on": course.starts_on, "ends_on": course.ends_on,
                  "status": course.status, "approved": course.approved,
                  "changed_at": self._clock.now()}
        if details is not None:
            values |= {
                "title": details.title, "provider_name": details.provider_name,
                "venue": details.venue.model_dump(mode="json") if details.venue else None,
                "daily_start": details.daily_start, "daily_end": details.daily_end,
                "contact": details.contact.model_dump(mode="json") if details.contact else None,
                "what_to_bring": details.what_to_bring}
        known = await self._session.scalar(select(courses.c.course_id).where(
            courses.c.course_id == course.course_id))
        if known is None:
            await self._session.execute(insert(courses).values(course_id=course.course_id,
                                                               **values))
        else:
            await self._session.execute(update(courses).where(
                courses.c.course_id == course.course_id).values(**values))

    async def set_status(self, course_id: str, status: str) -> None:
        await self._session.execute(update(courses).where(courses.c.course_id == course_id)
                                    .values(status=status, changed_at=self._clock.now()))

    async def of_ids(self, course_ids: Iterable[str]) -> dict[str, CourseFacts]:
        rows = await self._session.execute(select(courses).where(
            courses.c.course_id.in_(set(course_ids))))
        return {row.course_id: CourseFacts(
            course_id=row.course_id, provider_id=row.provider_id, region_key=row.region_key,
            starts_on=row.starts_on, ends_on=row.ends_on, status=row.status,
            approved=row.approved) for row in rows}

    async def details(self, course_id: str) -> CourseDetails | None:
        row = (await self._session.execute(select(courses).where(
            courses.c.course_id == course_id))).first()
        if row is None:
            return None
        return CourseDetails(
            course_id=row.course_id, provider_id=row.provider_id, starts_on=row.starts_on,
            title=row.title, provider_name=row.provider_name,
            venue=Venue.model_validate(row.venue) if row.venue else None,
            daily_start=row.daily_start, daily_end=row.daily_end,
            contact=CourseContact.model_validate(row.contact) if row.contact else None,
            what_to_bring=row.what_to_bring)
