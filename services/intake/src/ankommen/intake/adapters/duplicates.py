"""Stored duplicate suspicions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import duplicate_suspicions
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus


def _suspicion(row: Row[Any]) -> DuplicateSuspected:
    return DuplicateSuspected(case_id=row.case_id, other_case_id=row.other_case_id,
                              score=row.score, status=SuspicionStatus(row.status),
                              suspicion_id=row.suspicion_id, detected_at=row.detected_at,
                              resolved_at=row.resolved_at)


class DuplicateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, suspicion: DuplicateSuspected) -> None:
        await self._session.execute(insert(duplicate_suspicions), {
            "suspicion_id": suspicion.suspicion_id, "case_id": suspicion.case_id,
            "other_case_id": suspicion.other_case_id, "score": suspicion.score,
            "status": suspicion.status.value, "detected_at": suspicion.detected_at,
            "resolved_at": suspicion.resolved_at})

    async def get(self, suspicion_id: uuid.UUID) -> DuplicateSuspected | None:
        row = (await self._session.execute(select(duplicate_suspicions).where(
            duplicate_suspicions.c.suspicion_id == suspicion_id))).one_or_none()
        return None if row is None else _suspicion(row)

    async def save(self, suspicion: DuplicateSuspected) -> None:
        await self._session.execute(update(duplicate_suspicions).where(
            duplicate_suspicions.c.suspicion_id == suspicion.suspicion_id).values(
            status=suspicion.status.value, resolved_at=suspicion.resolved_at))

    async def listed(self, status: SuspicionStatus | None, limit: int = 100
                     ) -> list[DuplicateSuspected]:
        query = select(duplicate_suspicions).order_by(
            duplicate_suspicions.c.detected_at.desc()).limit(limit)
        if status is not None:
            query = query.where(duplicate_suspicions.c.status == status.value)
        return [_suspicion(row) for row in (await self._session.execute(query)).all()]

    async def known_pairs(self) -> set[frozenset[uuid.UUID]]:
        rows = (await self._session.execute(select(duplicate_suspicions.c.case_id,
                                                   duplicate_suspicions.c.other_case_id))).all()
        return {frozenset((row.case_id, row.other_case_id)) for row in rows}

    async def involving(self, case_id: uuid.UUID) -> list[DuplicateSuspected]:
        rows = (await self._session.execute(select(duplicate_suspicions).where(or_(
            duplicate_suspicions.c.case_id == case_id,
            duplicate_suspicions.c.other_case_id == case_id)))).all()
        return [_suspicion(row) for row in rows]

    async def remove_involving(self, case_id: uuid.UUID) -> None:
        await self._session.execute(delete(duplicate_suspicions).where(or_(
            duplicate_suspicions.c.case_id == case_id,
            duplicate_suspicions.c.other_case_id == case_id)))
