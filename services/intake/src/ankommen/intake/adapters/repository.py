"""The case repository: intake's queries about cases, in one place."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import cases
from ankommen.intake.domain.case import Case
from ankommen.shared.events.contracts.intake import ClosureReason, Survey


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> None:
        await self.add_many([case])

    async def add_many(self, added: Iterable[Case]) -> None:
        """New cases in one statement (a registration adds one; a benchmark's fill many)."""
        await self._session.execute(insert(cases), [{
            "case_id": case.case_id, "pseudonym": case.pseudonym,
            "survey": case.survey.model_dump(mode="json"),
            "registered_on": case.registered_on} for case in added])

    async def get(self, case_id: uuid.UUID) -> Case | None:
        row = (await self._session.execute(
            select(cases).where(cases.c.case_id == case_id))).one_or_none()
        return None if row is None else _case(row)

    async def by_pseudonyms(self, pseudonyms: Iterable[str]) -> dict[str, Case]:
        rows = (await self._session.execute(select(cases).where(
            cases.c.pseudonym.in_(set(pseudonyms))))).all()
        return {row.pseudonym: _case(row) for row in rows}

    async def save(self, case: Case) -> None:
        await self._session.execute(update(cases).where(cases.c.case_id == case.case_id).values(
            survey=case.survey.model_dump(mode="json"), closed_on=case.closed_on,
            closure_reason=case.closure_reason.value if case.closure_reason else None))

    async def remove(self, case_id: uuid.UUID) -> None:
        await self._session.execute(delete(cases).where(cases.c.case_id == case_id))


def _case(row: Row[Any]) -> Case:
    return Case(case_id=row.case_id, pseudonym=row.pseudonym,
                survey=Survey.model_validate(row.survey), registered_on=row.registered_on,
                closed_on=row.closed_on,
                closure_reason=ClosureReason(row.closure_reason) if row.closure_reason
                else None)
