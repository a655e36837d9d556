"""The waiting-list and case repositories: who waits, since when, and their survey."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.tables import allocation_lock, cases, waiting_people
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

#: Where a session notes the transaction that holds the allocation lock.
LOCKED = "ankommen.assignment.allocation_locked"
#: Pseudonyms per ``IN (…)`` list: well below the bind-parameter limits of SQLite and asyncpg.
CHUNK = 500


def chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


@lru_cache(maxsize=20_000)
def parsed_survey(text: str) -> Survey:
    """The survey of a stored JSON text. Every allocation reads the surveys of everyone waiting,
    and most have not changed since the last run: their parsed form is reused (keyed by the
    text itself, so a changed survey is parsed anew). Surveys are never modified in place —
    a change is a ``model_copy`` — so sharing one parsed object is safe."""
    return Survey.model_validate_json(text)


class WaitingListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, person: WaitingPerson) -> None:
        await self.add_all([person])

    async def add_all(self, people: list[WaitingPerson]) -> None:
        await self._session.execute(insert(waiting_people), [
            {"pseudonym": person.pseudonym, "region_key": person.region_key,
             "german_level": person.german_level.value, "waiting_since": person.waiting_since,
             "reason": person.reason, "unmet_reported_month": person.unmet_reported_month,
             "wanted_course_type": person.wanted_course_type.value
             if person.wanted_course_type else None}
            for person in people])

    async def count(self) -> int:
        return (await self._session.execute(
            select(func.count()).select_from(waiting_people))).scalar_one()

    async def get(self, pseudonym: str) -> WaitingPerson | None:
        row = (await self._session.execute(select(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym))).first()
        return _waiting(row) if row else None

    async def all(self) -> list[WaitingPerson]:
        return [_waiting(row) for row in await self._session.execute(
            select(waiting_people).order_by(waiting_people.c.waiting_since,
                                             waiting_people.c.pseudonym))]

    async def of(self, pseudonyms: Sequence[str]) -> list[WaitingPerson]:
        """Those of ``pseudonyms`` who wait, in the order of the list (as :meth:`all`)."""
        found: list[WaitingPerson] = []
        for chunk in chunks(pseudonyms):
            found += [_waiting(row) for row in await self._session.execute(
                select(waiting_people).where(waiting_people.c.pseudonym.in_(chunk)))]
        return sorted(found, key=lambda person: (person.waiting_since, person.pseudonym))

    async def which_wait(self, pseudonyms: Sequence[str]) -> list[str]:
        """Those of ``pseudonyms`` on the waiting list."""
        found: list[str] = []
        for chunk in chunks(pseudonyms):
            found += await self._session.scalars(select(waiting_people.c.pseudonym).where(
                waiting_people.c.pseudonym.in_(chunk)))
        return found

    async def set_reasons(self, reasons: dict[str, str]) -> None:
        """Why each of these people still waits: one statement per reason, not per person."""
        by_reason: dict[str, list[str]] = {}
        for pseudonym, reason in reasons.items():
            by_reason.setdefault(reason, []).append(pseudonym)
        for reason, pseudonyms in by_reason.items():
            for chunk in chunks(pseudonyms):
                await self._session.execute(update(waiting_people).where(
                    waiting_people.c.pseudonym.in_(chunk)).values(reason=reason))

    async def mark_unmet_reported(self, pseudonyms: list[str], month: str) -> None:
        for chunk in chunks(pseudonyms):
            await self._session.execute(update(waiting_people).where(
                waiting_people.c.pseudonym.in_(chunk)).values(unmet_reported_month=month))

    async def refresh(self, pseudonym: str, survey: Survey) -> None:
        await self._session.execute(update(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym).values(
            region_key=survey.region_key, german_level=survey.german_level.value))

    async def remove(self, pseudonym: str) -> None:
        await self._session.execute(delete(waiting_people).where(
            waiting_people.c.pseudonym == pseudonym))

    async def remove_all(self, pseudonyms: list[str]) -> None:
        for chunk in chunks(pseudonyms):
            await self._session.execute(delete(waiting_people).where(
                waiting_people.c.pseudonym.in_(chunk)))

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
                                         merged.wanted_course_type,
                                         merged.unmet_reported_month))

    async def allocation_runs(self) -> int:
        """How often the allocation lock was taken (this transaction's own included once it
        took it): the kept candidate index checks by it that nobody else allocated since.
        The lock's one row is written by the migration that creates its table."""
        return (await self._session.execute(select(allocation_lock.c.runs).where(
            allocation_lock.c.id == 1))).scalar_one()

    async def lock_for_allocation(self) -> None:
        """Serialise allocations: the first write of the transaction takes this row's lock.

        Once per transaction: the day turn and the allocation after it both ask for it (each
        must not run unlocked), and ``runs`` counts allocations, not requests for the lock."""
        transaction = self._session.get_transaction()
        if transaction is not None and self._session.info.get(LOCKED) is transaction:
            return
        await self._session.execute(update(allocation_lock).where(allocation_lock.c.id == 1)
                                    .values(runs=allocation_lock.c.runs + 1))
        self._session.info[LOCKED] = self._session.get_transaction()


def _waiting(row: Row[Any]) -> WaitingPerson:
    return WaitingPerson(row.pseudonym, row.region_key, GermanLevel(row.german_level),
                         row.waiting_since, row.reason,
                         CourseType(row.wanted_course_type) if row.wanted_course_type else None,
                         row.unmet_reported_month)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, registered: list[tuple[str, Survey, date]]) -> None:
        """New cases (pseudonym, survey, registration day), with one statement. A second
        registration of one pseudonym is an integrity error, never a silent merge."""
        await self._session.execute(insert(cases), [
            {"pseudonym": pseudonym, "survey": survey.model_dump_json(),
             "registered_on": registered_on, "closed": False}
            for pseudonym, survey, registered_on in registered])

    async def survey(self, pseudonym: str) -> Survey | None:
        text = await self._session.scalar(select(cases.c.survey).where(
            cases.c.pseudonym == pseudonym))
        return parsed_survey(text) if text else None

    async def known(self, pseudonym: str) -> bool:
        return await self._session.scalar(select(cases.c.pseudonym).where(
            cases.c.pseudonym == pseudonym)) is not None

    async def is_open(self, pseudonym: str) -> bool:
        return await self._session.scalar(select(cases.c.closed).where(
            cases.c.pseudonym == pseudonym)) is False

    async def of_waiting(self, pseudonyms: list[str]) -> dict[str, tuple[Survey, str | None]]:
        """Survey and previous provider of each of ``pseudonyms`` (the people waiting): only
        their rows, since an allocation runs after every batch of events and reading every
        case there made each run grow with all cases ever registered."""
        found: dict[str, tuple[Survey, str | None]] = {}
        for chunk in chunks(pseudonyms):
            rows = await self._session.execute(
                select(cases.c.pseudonym, cases.c.survey, cases.c.previous_provider_id)
                .where(cases.c.pseudonym.in_(chunk)))
            found.update({pseudonym: (parsed_survey(text), provider)
                          for pseudonym, text, provider in rows})
        return found

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
