"""What the coordinator's own actions need stored: the audit trail of placements made by hand.
(Which offers a change made, for the confirmation pages' what-if, is
``PlacementRepository.offers_made_on``.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import manual_placements


@dataclass(frozen=True)
class ManualPlacementEntry:
    """One placement a coordinator made by hand: who, in which role, when, where and why."""

    placement_id: str
    course_id: str
    actor: str
    role: str
    at: datetime
    reason: str
    #: The rules the matcher would have refused this placement for.
    overridden: tuple[str, ...] = ()


class ManualPlacementLog:
    """The audit trail of manual placements: rows are only ever added."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: ManualPlacementEntry) -> None:
        await self._session.execute(insert(manual_placements).values(
            placement_id=entry.placement_id, course_id=entry.course_id, actor=entry.actor,
            role=entry.role, at=entry.at, reason=entry.reason,
            overridden=",".join(entry.overridden)))

    async def of_course(self, course_id: str) -> list[ManualPlacementEntry]:
        rows = await self._session.execute(select(manual_placements).where(
            manual_placements.c.course_id == course_id).order_by(manual_placements.c.id))
        return [ManualPlacementEntry(
            row.placement_id, row.course_id, row.actor, row.role, row.at, row.reason,
            tuple(name for name in row.overridden.split(",") if name)) for row in rows]
