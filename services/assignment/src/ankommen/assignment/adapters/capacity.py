"""The seat figures last reported to monitoring, per month, district and course type — so that
a ``CourseCapacityFact`` is published only when a figure changes (see ``service/facts.py``) —
and the sequence that orders those snapshots per district and course type."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import capacity_reported, capacity_sequence
from ankommen.assignment.domain.capacity import SeatFigures


class CapacityReports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_month(self, month: str) -> SeatFigures:
        rows = await self._session.execute(
            select(capacity_reported).where(capacity_reported.c.month == month))
        return {(row.district, row.course_type): (row.seats_offered, row.seats_taken)
                for row in rows}

    async def save(self, month: str, figures: SeatFigures) -> None:
        """Replace the month's reported figures of these pairs: one delete, one insert."""
        if not figures:
            return
        await self._session.execute(delete(capacity_reported).where(
            capacity_reported.c.month == month,
            tuple_(capacity_reported.c.district, capacity_reported.c.course_type).in_(
                list(figures))))
        await self._session.execute(insert(capacity_reported), [
            {"month": month, "district": district, "course_type": course_type,
             "seats_offered": offered, "seats_taken": taken}
            for (district, course_type), (offered, taken) in figures.items()])

    async def next_sequence(self, district: str, course_type: str) -> int:
        """The next sequence of this pair's snapshots (1 for its first): one atomic upsert,
        so that two transactions reporting the same pair take turns on its row and never get
        the same number — the later commit gets the greater one."""
        bind = self._session.bind
        if bind is None:
            raise RuntimeError("the session is bound to no engine: its dialect is unknown")
        dialect = bind.dialect.name
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(
            capacity_sequence)
        return (await self._session.execute(
            statement.values(district=district, course_type=course_type, sequence=1)
            .on_conflict_do_update(index_elements=["district", "course_type"],
                                   set_={"sequence": capacity_sequence.c.sequence + 1})
            .returning(capacity_sequence.c.sequence))).scalar_one()
