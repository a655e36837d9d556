"""The case repository: intake's queries about cases, in one place."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import cases
from ankommen.intake.domain.case import Case
from ankommen.shared.events.contracts.intake import ClosureReason, Survey


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> None:
        await self._session.execute(insert(cases).values(
            case_id=case.case_id, pseudonym=case.pseudonym,
            survey=case.survey.model_dump(mode="json"),
            registered_on=case.registered_on))

    async def get(self, case_id: uuid.UUID) -> Case | None:
        row = (await self._session.execute(
            select(cases).where(cases.c.case_id == case_id))).one_or_none()
        if row is None:
            return None
        return Case(case_id=row.case_id, pseudonym=row.pseudonym,
                    survey=Survey.model_validate(row.survey), registered_on=row.registered_on,
                    closed_on=row.closed_on,
                    closure_reason=ClosureReason(row.closure_reason) if row.closure_reason
                    else None)

    async def save(self, case: Case) -> None:
        await self._session.execute(update(cases).where(cases.c.case_id == case.case_id).values(
            survey=case.survey.model_dump(mode="json"), closed_on=case.closed_on,
            closure_reason=case.closure_reason.value if case.closure_reason else None))

    async def remove(self, case_id: uuid.UUID) -> None:
        await self._session.execute(delete(cases).where(cases.c.case_id == case_id))
