"""The audit log: who looked at or changed which case, when, and for what purpose.

Who: the principal's subject and role; for a person signed in through the county's identity
provider also its issuer (whose ``sub`` the subject then is) and the person's name as the
provider gives it (issue 20), so that an access to identity can be traced to a named person.
A token of ``ankommen token`` has neither: its subject is all there is."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.tables import audit_log
from ankommen.intake.domain.audit import AuditAction
from ankommen.intake.domain.disclosure import Disclosure
from ankommen.shared.clock import Clock
from ankommen.shared.identity.auth import Principal


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
    #: The identity provider's name for the person, and the provider (issuer) itself.
    actor_name: str | None = None
    actor_issuer: str | None = None


class ActorFields(TypedDict):
    """Who acted, as the keyword arguments of :meth:`AuditLog.record`."""

    actor: str
    role: str
    actor_name: str | None
    actor_issuer: str | None


def actor_fields(principal: Principal) -> ActorFields:
    """Who acted, as :meth:`AuditLog.record` takes it."""
    return {"actor": principal.subject, "role": principal.role.value,
            "actor_name": principal.display_name, "actor_issuer": principal.issuer}


class AuditLog:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        #: Dates what this records (the service's clock: a test can move it).
        self._clock = clock

    async def record(self, *, actor: str, role: str, action: str,
                     case_id: uuid.UUID | None = None, purpose: str | None = None,
                     recipient: str | None = None, disclosed: str | None = None,
                     actor_name: str | None = None, actor_issuer: str | None = None) -> None:
        await self._session.execute(insert(audit_log), {
            "at": self._clock.now(), "actor": actor, "role": role, "action": action,
            "case_id": case_id, "purpose": purpose, "recipient": recipient,
            "disclosed": disclosed, "actor_name": actor_name, "actor_issuer": actor_issuer})

    async def entries(self, *, case_id: uuid.UUID | None = None, limit: int = 100,
                      before: int | None = None) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.entry_id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(audit_log.c.case_id == case_id)
        if before is not None:
            query = query.where(audit_log.c.entry_id < before)
        return [AuditEntry(at=row.at, actor=row.actor, role=row.role, action=row.action,
                           case_id=row.case_id, purpose=row.purpose, entry_id=row.entry_id,
                           recipient=row.recipient, disclosed=row.disclosed,
                           actor_name=row.actor_name, actor_issuer=row.actor_issuer)
                for row in (await self._session.execute(query)).all()]

    async def disclosures(self, case_ids: Collection[uuid.UUID]) -> list[Disclosure]:
        """Every disclosure of these cases' data, oldest first, without a limit: a person's
        list of recipients must be complete, however long the rest of the log is."""
        query = (select(audit_log.c.at, audit_log.c.recipient, audit_log.c.disclosed,
                        audit_log.c.purpose)
                 .where(audit_log.c.case_id.in_(list(case_ids)),
                        audit_log.c.action == AuditAction.DISCLOSE_CONTACT.value)
                 .order_by(audit_log.c.entry_id))
        return [Disclosure(at=row.at, recipient=row.recipient or "",
                           fields=tuple(filter(None, (row.disclosed or "").split(","))),
                           purpose=row.purpose)
                for row in (await self._session.execute(query)).all()]

    async def registered_by(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Who registered each of these cases: the signed-in office (the principal's subject,
        e.g. ``auslaenderbehoerde``) of its registration entry. Intake keeps no office column:
        the audit log records the registering principal already, so the office shown next to
        a duplicate candidate is read from there."""
        if not case_ids:
            return {}
        query = (select(audit_log.c.case_id, audit_log.c.actor)
                 .where(audit_log.c.case_id.in_(list(case_ids)),
                        audit_log.c.action == AuditAction.REGISTER.value)
                 .order_by(audit_log.c.entry_id))
        offices: dict[uuid.UUID, str] = {}
        for row in (await self._session.execute(query)).all():
            offices.setdefault(row.case_id, row.actor)
        return offices

    async def forget_case(self, case_id: uuid.UUID) -> None:
        """After an erasure, earlier entries no longer point at the (now meaningless) case
        id: the log keeps what happened, not whom it concerned."""
        await self._session.execute(update(audit_log).where(audit_log.c.case_id == case_id)
                                    .values(case_id=None))
