"""The audit log: who looked at or changed which case, when, and for what purpose."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import audit_log


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    role: str
    action: str
    case_id: uuid.UUID | None
    purpose: str | None
    entry_id: int | None = None
    #: A disclosure's recipient (provider id) and the fields it received.
    recipient: str | None = None
    disclosed: str | None = None


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, *, actor: str, role: str, action: str,
                     case_id: uuid.UUID | None = None, purpose: str | None = None,
                     recipient: str | None = None, disclosed: str | None = None) -> None:
        await self._session.execute(insert(audit_log), {
            "at": datetime.now(UTC), "actor": actor, "role": role, "action": action,
            "case_id": case_id, "purpose": purpose, "recipient": recipient,
            "disclosed": disclosed})

    async def entries(self, *, case_id: uuid.UUID | None = None, limit: int = 100,
                      before: int | None = None) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.entry_id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(audit_log.c.case_id == case_id)
        if before is not None:
            query = query.where(audit_log.c.entry_id < before)
        return [AuditEntry(at=row.at, actor=row.actor, role=row.role, action=row.action,
                           case_id=row.case_id, purpose=row.purpose, entry_id=row.entry_id,
                           recipient=row.recipient, disclosed=row.disclosed)
                for row in (await self._session.execute(query)).all()]

    async def forget_case(self, case_id: uuid.UUID) -> None:
        """After an erasure, earlier entries no longer point at the (now meaningless) case
        id: the log keeps what happened, not whom it concerned."""
        await self._session.execute(update(audit_log).where(audit_log.c.case_id == case_id)
                                    .values(case_id=None))
