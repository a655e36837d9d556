"""The case repository: intake's queries, in one place."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import cases
from ankommen.intake.domain.case import Case
from ankommen.shared.events.contracts.intake import Survey


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
                    survey=Survey.model_validate(row.survey), registered_on=row.registered_on)
