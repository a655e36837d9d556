"""The known-cases repository: progress's queries, in one place."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.progress.adapters.tables import known_cases
from ankommen.progress.domain.participant import KnownCase


class KnownCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: KnownCase) -> None:
        await self._session.execute(insert(known_cases).values(
            pseudonym=case.pseudonym, registered_on=case.registered_on))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(known_cases))
