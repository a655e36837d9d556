"""The review list and the correction log: every query about held facts and the admins'
decisions on them (what they mean: :mod:`domain.bounds`, :mod:`domain.review`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.monitoring.adapters.repository import as_utc
from ankommen.monitoring.adapters.tables import fact_archive, fact_review, review_decisions
from ankommen.monitoring.domain.review import Decision


@dataclass(frozen=True)
class ReviewEntry:
    """One held fact: why, for which month and district, and the archived envelope."""

    event_id: str
    fact_type: str
    reason: str
    month: str | None
    district: str | None
    body: str | None
    received_at: datetime | None
    decision: Decision | None


@dataclass(frozen=True)
class DecisionRecord:
    event_id: str
    decision: Decision
    reason: str
    month: str | None
    decided_by: str
    decided_at: datetime


def _undecided():  # noqa: ANN202 - a SQL condition
    return review_decisions.c.event_id.is_(None)


class ReviewList:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _entries(self):  # noqa: ANN202 - a SELECT over the review list, archive and decisions
        return (select(fact_review, fact_archive.c.body, fact_archive.c.received_at,
                       review_decisions.c.decision)
                .outerjoin(fact_archive, fact_archive.c.event_id == fact_review.c.event_id)
                .outerjoin(review_decisions,
                           review_decisions.c.event_id == fact_review.c.event_id))

    @staticmethod
    def _entry(row: Row[*tuple[Any, ...]]) -> ReviewEntry:
        return ReviewEntry(row.event_id, row.fact_type, row.reason, row.month, row.district,
                           row.body, as_utc(row.received_at) if row.received_at else None,
                           Decision(row.decision) if row.decision else None)

    async def pending_counts(self) -> dict[str, int]:
        """Entries awaiting a decision, by reason."""
        rows = await self._session.execute(
            select(fact_review.c.reason, func.count()).outerjoin(
                review_decisions, review_decisions.c.event_id == fact_review.c.event_id)
            .where(_undecided()).group_by(fact_review.c.reason))
        return {reason: count for reason, count in rows}

    async def pending(self, reason: str | None, month: str | None, limit: int
                      ) -> list[ReviewEntry]:
        """Entries awaiting a decision, by month and event id, at most ``limit``."""
        query = self._entries().where(_undecided())
        if reason is not None:
            query = query.where(fact_review.c.reason == reason)
        if month is not None:
            query = query.where(fact_review.c.month == month)
        query = query.order_by(fact_review.c.month, fact_review.c.event_id).limit(limit)
        return [self._entry(row) for row in await self._session.execute(query)]

    async def entries(self, event_ids: Sequence[str]) -> dict[str, ReviewEntry]:
        """The named entries that are on the list (decided or not), by event id."""
        rows = await self._session.execute(
            self._entries().where(fact_review.c.event_id.in_(list(event_ids))))
        return {row.event_id: self._entry(row) for row in rows}

    async def record(self, decisions: Sequence[DecisionRecord]) -> None:
        if decisions:
            await self._session.execute(insert(review_decisions), [
                {"event_id": record.event_id, "decision": record.decision.value,
                 "reason": record.reason, "month": record.month,
                 "decided_by": record.decided_by, "decided_at": record.decided_at}
                for record in decisions])

    async def applied_ids(self) -> set[str]:
        """The facts admins applied: a rebuild counts them again."""
        return set(await self._session.scalars(select(review_decisions.c.event_id).where(
            review_decisions.c.decision == Decision.APPLIED.value)))

    async def applied(self) -> list[tuple[str | None, datetime]]:
        """(month, decided at) of every applied decision: the corrections."""
        rows = await self._session.execute(
            select(review_decisions.c.month, review_decisions.c.decided_at).where(
                review_decisions.c.decision == Decision.APPLIED.value))
        return [(row.month, as_utc(row.decided_at)) for row in rows]

    async def decisions(self, limit: int) -> list[DecisionRecord]:
        """The latest decisions, newest first."""
        rows = await self._session.execute(select(review_decisions).order_by(
            review_decisions.c.decided_at.desc(), review_decisions.c.event_id).limit(limit))
        return [DecisionRecord(row.event_id, Decision(row.decision), row.reason, row.month,
                               row.decided_by, as_utc(row.decided_at)) for row in rows]
