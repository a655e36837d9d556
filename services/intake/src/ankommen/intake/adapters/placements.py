"""Intake's record of placements with providers (all its queries about them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import provider_placements
from ankommen.intake.domain.disclosure import ConfirmedPlacement, PlacementStatus
from ankommen.intake.domain.letter import RecordedPlacement
from ankommen.shared.clock import Clock


@dataclass(frozen=True)
class PlacementRecord:
    """One placement of a person as announced to intake (for the case page)."""

    referral_code: str
    provider_id: str
    course_id: str
    status: PlacementStatus
    changed_at: datetime


class ProviderPlacementRepository:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        #: Dates what this records (the service's clock: a test can move it).
        self._clock = clock

    async def status(self, referral_code: str) -> PlacementStatus | None:
        value = await self._session.scalar(select(provider_placements.c.status).where(
            provider_placements.c.referral_code == referral_code))
        return None if value is None else PlacementStatus(value)

    async def save(self, *, referral_code: str, pseudonym: str, provider_id: str,
                   course_id: str, status: PlacementStatus) -> None:
        values = {"pseudonym": pseudonym, "provider_id": provider_id, "course_id": course_id,
                  "status": status.value, "changed_at": self._clock.now()}
        if await self.status(referral_code) is None:
            await self._session.execute(insert(provider_placements).values(
                referral_code=referral_code, **values))
        else:
            await self._session.execute(update(provider_placements).where(
                provider_placements.c.referral_code == referral_code).values(**values))

    async def set_status(self, referral_code: str, status: PlacementStatus) -> None:
        await self._session.execute(update(provider_placements).where(
            provider_placements.c.referral_code == referral_code).values(
            status=status.value, changed_at=self._clock.now()))

    async def confirmed_for(self, provider_id: str, referral_codes: Iterable[str]
                            ) -> list[ConfirmedPlacement]:
        """This provider's confirmed placements among ``referral_codes``."""
        rows = (await self._session.execute(select(
            provider_placements.c.referral_code, provider_placements.c.pseudonym,
            provider_placements.c.provider_id, provider_placements.c.course_id).where(
            provider_placements.c.provider_id == provider_id,
            provider_placements.c.status == PlacementStatus.CONFIRMED.value,
            provider_placements.c.referral_code.in_(set(referral_codes))))).all()
        return [ConfirmedPlacement(row.referral_code, row.pseudonym, row.provider_id,
                                   row.course_id) for row in rows]

    async def of_pseudonym(self, pseudonym: str) -> list[PlacementRecord]:
        """The person's placements as intake knows them, the latest change first."""
        rows = (await self._session.execute(select(provider_placements).where(
            provider_placements.c.pseudonym == pseudonym).order_by(
            provider_placements.c.changed_at.desc()))).all()
        return [PlacementRecord(row.referral_code, row.provider_id, row.course_id,
                                PlacementStatus(row.status), row.changed_at) for row in rows]

    async def recorded(self, referral_code: str) -> RecordedPlacement | None:
        """A placement by its referral code, whatever its status (the letter checks it)."""
        row = (await self._session.execute(select(provider_placements).where(
            provider_placements.c.referral_code == referral_code))).first()
        return None if row is None else RecordedPlacement(
            row.referral_code, row.pseudonym, row.course_id, PlacementStatus(row.status))

    async def erase(self, pseudonym: str) -> None:
        await self._session.execute(delete(provider_placements).where(
            provider_placements.c.pseudonym == pseudonym))

    async def merge(self, merged: str, surviving: str) -> None:
        await self._session.execute(update(provider_placements).where(
            provider_placements.c.pseudonym == merged).values(pseudonym=surviving))
