"""The aggregate repository: monitoring's queries, in one place."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.monitoring.adapters.tables import arrival_counts


class ArrivalCounts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def increment(self, month: str, district: str, german_level: str) -> None:
        key = (arrival_counts.c.month == month, arrival_counts.c.district == district,
               arrival_counts.c.german_level == german_level)
        result = await self._session.execute(
            update(arrival_counts).where(*key).values(arrivals=arrival_counts.c.arrivals + 1))
        if result.rowcount == 0:
            await self._session.execute(insert(arrival_counts).values(
                month=month, district=district, german_level=german_level, arrivals=1))

    async def total(self) -> int:
        return await self._session.scalar(
            select(func.coalesce(func.sum(arrival_counts.c.arrivals), 0)))
