"""The waiting-list repository: assignment's queries, in one place."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import waiting_people
from ankommen.assignment.domain.waiting import WaitingPerson


class WaitingListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, person: WaitingPerson) -> None:
        await self._session.execute(insert(waiting_people).values(
            pseudonym=person.pseudonym, region_key=person.region_key,
            german_level=person.german_level.value, waiting_since=person.waiting_since))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(waiting_people))
