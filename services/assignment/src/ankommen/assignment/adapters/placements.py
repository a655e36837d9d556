"""The placement repository: placements, their referral codes and explanations."""

from __future__ import annotations

import json

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import placements
from ankommen.assignment.domain.placement import ACTIVE, PlacementRecord, PlacementStatus


def _record(row) -> PlacementRecord:  # noqa: ANN001 - a SQLAlchemy row
    values = dict(row._mapping)
    values["status"] = PlacementStatus(values["status"])
    values["explanation"] = json.loads(values["explanation"])
    return PlacementRecord(**values)


class PlacementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: PlacementRecord) -> None:
        await self._session.execute(insert(placements).values(
            placement_id=record.placement_id, pseudonym=record.pseudonym,
            course_id=record.course_id, provider_id=record.provider_id,
            referral_code=record.referral_code, status=record.status.value,
            offered_on=record.offered_on, waiting_since=record.waiting_since,
            childcare=record.childcare, explanation=json.dumps(record.explanation)))

    async def referral_code_taken(self, code: str) -> bool:
        return bool(await self._session.scalar(
            select(func.count()).select_from(placements).where(
                placements.c.referral_code == code)))

    async def get(self, placement_id: str) -> PlacementRecord | None:
        row = (await self._session.execute(select(placements).where(
            placements.c.placement_id == placement_id))).first()
        return _record(row) if row else None

    async def by_referral_code(self, code: str) -> PlacementRecord | None:
        row = (await self._session.execute(select(placements).where(
            placements.c.referral_code == code))).first()
        return _record(row) if row else None

    async def set_status(self, placement_id: str, status: PlacementStatus) -> None:
        await self._session.execute(update(placements).where(
            placements.c.placement_id == placement_id).values(status=status.value))

    async def of_person(self, pseudonym: str) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.pseudonym == pseudonym)
            .order_by(placements.c.offered_on))]

    async def active_in_course(self, course_id: str) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.course_id == course_id,
                                     placements.c.status.in_([s.value for s in ACTIVE])))]

    async def all(self) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).order_by(placements.c.offered_on, placements.c.placement_id))]

    async def provider_load(self) -> dict[str, int]:
        """Active placements per provider (for rotation between providers)."""
        rows = await self._session.execute(
            select(placements.c.provider_id, func.count()).where(
                placements.c.status.in_([s.value for s in ACTIVE]))
            .group_by(placements.c.provider_id))
        return {provider: count for provider, count in rows}

    async def delete_person(self, pseudonym: str) -> None:
        await self._session.execute(delete(placements).where(
            placements.c.pseudonym == pseudonym))

    async def rekey(self, old: str, new: str) -> None:
        await self._session.execute(update(placements).where(
            placements.c.pseudonym == old).values(pseudonym=new))
