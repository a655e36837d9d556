"""The placement repository: placements, their referral codes and explanations."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.repository import chunks
from ankommen.assignment.adapters.tables import courses, placements
from ankommen.assignment.domain.placement import (
    ACTIVE,
    UNDECIDED_BY_PROGRESS,
    OfferRow,
    PlacementRecord,
    PlacementStatus,
)
from ankommen.shared.db.results import affected_rows

#: Placements after which the person is not offered that course again: they declined it, or
#: the provider let the offer expire (it did not take them).
TURNED_DOWN = (PlacementStatus.DECLINED.value, PlacementStatus.EXPIRED.value)


def _values(record: PlacementRecord) -> dict[str, object]:
    return {"placement_id": record.placement_id, "pseudonym": record.pseudonym,
            "course_id": record.course_id, "provider_id": record.provider_id,
            "referral_code": record.referral_code, "status": record.status.value,
            "offered_on": record.offered_on, "expires_on": record.expires_on,
            "waiting_since": record.waiting_since,
            "childcare": record.childcare, "explanation": json.dumps(record.explanation)}


def _values_of(statuses: Iterable[PlacementStatus]) -> list[str]:
    return sorted(status.value for status in statuses)


def _record(row: Row[Any]) -> PlacementRecord:
    values = dict(row._mapping)  # pyright: ignore[reportPrivateUsage] - SQLAlchemy's public row-as-mapping accessor
    values["status"] = PlacementStatus(values["status"])
    values["explanation"] = json.loads(values["explanation"])
    return PlacementRecord(**values)


class PlacementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: PlacementRecord) -> None:
        await self._session.execute(insert(placements).values(**_values(record)))

    async def add_all(self, records: list[PlacementRecord]) -> None:
        """The placements of one allocation run, in one statement."""
        if records:
            await self._session.execute(insert(placements), [_values(record)
                                                             for record in records])

    async def referral_codes_taken(self, codes: list[str]) -> set[str]:
        taken: set[str] = set()
        for chunk in chunks(codes):
            taken.update(await self._session.scalars(select(placements.c.referral_code).where(
                placements.c.referral_code.in_(chunk))))
        return taken

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

    async def move_status(self, placement_id: str, before: PlacementStatus,
                          after: PlacementStatus) -> bool:
        """Set ``after`` if the placement is still ``before``; says whether it was. Two
        requests that both read ``before`` (a confirmation sent again while the first still
        waited in a restarting service's backlog) change it once: on PostgreSQL the second
        UPDATE waits for the first's commit and then finds the status changed, so only one of
        them announces it."""
        result = await self._session.execute(update(placements).where(
            placements.c.placement_id == placement_id,
            placements.c.status == before.value).values(status=after.value))
        return affected_rows(result) == 1

    async def of_person(self, pseudonym: str) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.pseudonym == pseudonym)
            .order_by(placements.c.offered_on))]

    async def active_in_course(self, course_id: str) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.course_id == course_id,
                                     placements.c.status.in_([s.value for s in ACTIVE])))]

    async def undecided_in_course(self, course_id: str) -> list[PlacementRecord]:
        """The course's placements assignment may still take back (offered, confirmed)."""
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.course_id == course_id,
                                     placements.c.status.in_(_values_of(UNDECIDED_BY_PROGRESS)))
            .order_by(placements.c.offered_on, placements.c.placement_id))]

    async def offers_past_last_day(self, today: date) -> list[PlacementRecord]:
        """Offers nobody confirmed by their last day (index on status and ``expires_on``)."""
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.status == PlacementStatus.OFFERED.value,
                                     placements.c.expires_on < today)
            .order_by(placements.c.expires_on, placements.c.placement_id))]

    async def offers_without_last_day(self) -> list[PlacementRecord]:
        """Offers made before offers had a last day (migration 0009 left them without one)."""
        return [_record(row) for row in await self._session.execute(
            select(placements).where(placements.c.status == PlacementStatus.OFFERED.value,
                                     placements.c.expires_on.is_(None)))]

    async def set_last_day(self, placement_id: str, expires_on: date) -> None:
        await self._session.execute(update(placements).where(
            placements.c.placement_id == placement_id).values(expires_on=expires_on))

    async def undecided_in_ended_courses(self, today: date) -> list[PlacementRecord]:
        """Offered or confirmed placements whose course's last day lies before ``today``: the
        course ended without them ever being enrolled."""
        return [_record(row) for row in await self._session.execute(
            select(placements).join(courses, courses.c.course_id == placements.c.course_id)
            .where(placements.c.status.in_(_values_of(UNDECIDED_BY_PROGRESS)),
                   courses.c.ends_on < today)
            .order_by(placements.c.offered_on, placements.c.placement_id))]

    async def all(self) -> list[PlacementRecord]:
        return [_record(row) for row in await self._session.execute(
            select(placements).order_by(placements.c.offered_on, placements.c.placement_id))]

    async def declined_courses(self, pseudonyms: list[str]) -> dict[str, set[str]]:
        """The courses each of ``pseudonyms`` has declined or let expire (they are not offered
        again: :data:`TURNED_DOWN`).

        Only the declined rows of the people asked about: an allocation runs after every
        event, and reading every placement there made each run grow with all placements ever
        made."""
        declined: dict[str, set[str]] = {}
        for chunk in chunks(pseudonyms):
            rows = await self._session.execute(
                select(placements.c.pseudonym, placements.c.course_id).where(
                    placements.c.status.in_(TURNED_DOWN),
                    placements.c.pseudonym.in_(chunk)))
            for pseudonym, course in rows:
                declined.setdefault(pseudonym, set()).add(course)
        return declined

    async def latest_courses(self, pseudonyms: list[str],
                             statuses: Iterable[PlacementStatus]) -> dict[str, str]:
        """The course of each person's latest placement (by offer date, then id) in one of
        ``statuses``, for those of ``pseudonyms`` who have one — without reading (and parsing
        the explanations of) their other placements."""
        latest: dict[str, tuple[date, str, str]] = {}
        for chunk in chunks(pseudonyms):
            rows = await self._session.execute(
                select(placements.c.pseudonym, placements.c.offered_on,
                       placements.c.placement_id, placements.c.course_id).where(
                    placements.c.status.in_([status.value for status in statuses]),
                    placements.c.pseudonym.in_(chunk)))
            for pseudonym, offered_on, placement_id, course_id in rows:
                if pseudonym not in latest or (offered_on, placement_id) > latest[pseudonym][:2]:
                    latest[pseudonym] = (offered_on, placement_id, course_id)
        return {pseudonym: row[2] for pseudonym, row in latest.items()}

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

    async def offers_made_on(self, day: date) -> dict[str, tuple[str, str]]:
        """The offers made on ``day`` still offered: placement id → (pseudonym, course id). A
        what-if compares them before and after a change to see whom the change offers a
        seat."""
        rows = await self._session.execute(
            select(placements.c.placement_id, placements.c.pseudonym, placements.c.course_id)
            .where(placements.c.status == PlacementStatus.OFFERED.value,
                   placements.c.offered_on == day))
        return {placement_id: (pseudonym, course_id)
                for placement_id, pseudonym, course_id in rows}

    async def offer_rows(self, provider_id: str | None, *, answered: bool,
                         limit: int | None = None) -> list[OfferRow]:
        """The placements of ``provider_id`` (``None``: of every provider) as the referrals
        page lists them: still offered, oldest answer-by date first; or (``answered``) every
        other, newest offer first, at most ``limit``."""
        query = (select(placements.c.referral_code, courses.c.title, courses.c.region_key,
                        placements.c.status, placements.c.offered_on, placements.c.expires_on)
                 .join(courses, courses.c.course_id == placements.c.course_id))
        if provider_id is not None:
            query = query.where(placements.c.provider_id == provider_id)
        offered = PlacementStatus.OFFERED.value
        if answered:
            query = query.where(placements.c.status != offered).order_by(
                placements.c.offered_on.desc(), placements.c.referral_code).limit(limit)
        else:
            query = query.where(placements.c.status == offered).order_by(
                placements.c.expires_on, placements.c.offered_on, placements.c.referral_code)
        return [OfferRow(code, title, region, PlacementStatus(status), offered_on, expires_on)
                for code, title, region, status, offered_on, expires_on
                in await self._session.execute(query)]
