"""The waiting-list and case repositories: who waits, since when, and their survey."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import allocation_lock, cases, waiting_people
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel


class WaitingListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, person: WaitingPerson) -> None:
        await self._session.execute(insert(waiting_people).values(
            pseudonym=person.pseudonym, region_key=person.region_key,
            german_level=person.german_level.value, waiting_since=person.waiting_since,
            reason=person.reason,
            wanted_course_type=person.wanted_course_type.value
            if person.wanted_course_type else None))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(waiting_people))

    async def get(self, pseudonym: str) -> WaitingPerson | None:
        row = (await self._session.execute(select(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym))).first()
        return _waiting(row) if row else None

    async def all(self) -> list[WaitingPerson]:
        return [_waiting(row) for row in await self._session.execute(
            select(waiting_people).order_by(waiting_people.c.waiting_since,
                                             waiting_people.c.pseudonym))]

    async def set_reason(self, pseudonym: str, reason: str) -> None:
        await self._session.execute(update(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym).values(reason=reason))

    async def refresh(self, pseudonym: str, survey: Survey) -> None:
        await self._session.execute(update(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym).values(
            region_key=survey.region_key, german_level=survey.german_level.value))

    async def remove(self, pseudonym: str) -> None:
        await self._session.execute(delete(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym))

    async def rekey(self, old: str, new: str) -> None:
        """Merged cases: the surviving case keeps the earlier place on the list."""
        merged, surviving = await self.get(old), await self.get(new)
        await self.remove(old)
        if merged and surviving and merged.waiting_since < surviving.waiting_since:
            await self._session.execute(update(waiting_people).where(
                waiting_people.c.pseudonym == new).values(waiting_since=merged.waiting_since))
        elif merged and not surviving:
            await self.add(WaitingPerson(new, merged.region_key, merged.german_level,
                                         merged.waiting_since, merged.reason,
                                         merged.wanted_course_type))

    async def lock_for_allocation(self) -> None:
        """Serialise allocations: the first write of the transaction takes this row's lock."""
        await self._session.execute(update(allocation_lock).where(allocation_lock.c.id == 1)
                                    .values(runs=allocation_lock.c.runs + 1))


def _waiting(row) -> WaitingPerson:  # noqa: ANN001 - a SQLAlchemy row
    return WaitingPerson(row.pseudonym, row.region_key, GermanLevel(row.german_level),
                         row.waiting_since, row.reason,
                         CourseType(row.wanted_course_type) if row.wanted_course_type else None)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, pseudonym: str, survey: Survey, registered_on: date) -> None:
        """A second registration of one pseudonym is an integrity error, never a silent merge."""
        await self._session.execute(insert(cases).values(
            pseudonym=pseudonym, survey=survey.model_dump_json(), registered_on=registered_on,
            closed=False))

    async def survey(self, pseudonym: str) -> Survey | None:
        text = await self._session.scalar(select(cases.c.survey).where(
            cases.c.pseudonym == pseudonym))
        return Survey.model_validate_json(text) if text else None

    async def is_open(self, pseudonym: str) -> bool:
        return await self._session.scalar(select(cases.c.closed).where(
            cases.c.pseudonym == pseudonym)) is False

    async def previous_providers(self) -> dict[str, str]:
        rows = await self._session.execute(select(cases.c.pseudonym,
                                                  cases.c.previous_provider_id))
        return {pseudonym: provider for pseudonym, provider in rows if provider}

    async def surveys(self, pseudonyms: list[str]) -> dict[str, Survey]:
        rows = await self._session.execute(select(cases.c.pseudonym, cases.c.survey).where(
            cases.c.pseudonym.in_(pseudonyms)))
        return {pseudonym: Survey.model_validate_json(text) for pseudonym, text in rows}

    async def update_survey(self, pseudonym: str, survey: Survey) -> None:
        await self._session.execute(update(cases).where(cases.c.pseudonym == pseudonym)
                                    .values(survey=survey.model_dump_json()))

    async def set_previous_provider(self, pseudonym: str, provider_id: str) -> None:
        await self._session.execute(update(cases).where(cases.c.pseudonym == pseudonym)
                                    .values(previous_provider_id=provider_id))

    async def close(self, pseudonym: str) -> None:
        await self._session.execute(update(cases).where(cases.c.pseudonym == pseudonym)
                                    .values(closed=True))

    async def delete(self, pseudonym: str) -> None:
        await self._session.execute(delete(cases).where(cases.c.pseudonym == pseudonym))
