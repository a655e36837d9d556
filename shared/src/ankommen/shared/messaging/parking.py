"""Events that arrive before the case they concern: parked, then applied when the case arrives.

Kafka keeps the order of one key on one topic, and the relay keeps commit order per key; yet a
consumer can still receive an event for a case it does not know yet. The case's registration
may be parked in the sender's outbox (too large for the broker, say: the later events of that
case then go on without it, see :mod:`ankommen.shared.messaging.relay`), or it may have been
dead-lettered here. Dropping the later event would lose it for good — assignment used to drop a
``SurveyUpdated`` that way. Instead the handler parks it, keyed by the case, in the consumer's
own transaction (the inbox then counts it as processed), and the handler of the registration
applies the parked events of its case in the order they were parked: the state ends as it
would have in commit order.

Erasure removes everything about a person, parked events included: the erasure of a case
deletes its parked events (:meth:`ParkedEvents.forget`), and parked events whose case never
arrives are deleted after a retention (:func:`purge_parked_events`), with a log line that
counts them — they cannot wait forever for a case that was erased before it arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ankommen.shared.db.results import affected_rows
from ankommen.shared.events.registry import DecodedEvent, registry
from ankommen.shared.repeating import repeating

logger = logging.getLogger(__name__)

#: Parked events, oldest first, per ``IN (…)`` list of keys.
_CHUNK = 500


def parked_events_table(metadata: MetaData) -> Table:
    """Add a service's parked events to its metadata (the service's own revision creates it)."""
    return Table(
        "parked_events", metadata,
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
               autoincrement=True),
        #: The case the event waits for (its pseudonym).
        Column("aggregate_id", String(128), nullable=False, index=True),
        Column("event_id", String(64), nullable=False),
        Column("event_type", String(200), nullable=False),
        #: The event as received (its CloudEvents envelope, JSON).
        Column("envelope", Text, nullable=False),
        Column("reason", String(200), nullable=False),
        Column("parked_at", DateTime(timezone=True), nullable=False),
    )


class ParkedEvents:
    """The parked events of one service, inside the caller's transaction."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table

    async def park(self, key: str, event: DecodedEvent, reason: str) -> None:
        """Keep ``event`` until the case ``key`` arrives (or is erased, or the retention ends)."""
        await self._session.execute(insert(self._table).values(
            aggregate_id=key, event_id=event.envelope.id, event_type=event.envelope.type,
            envelope=event.envelope.to_json(), reason=reason[:200],
            parked_at=datetime.now(UTC)))
        # The event id and type only: the key is a pseudonym, and logs carry no personal data.
        logger.info("event parked until its case arrives", extra={
            "event_id": event.envelope.id, "event_type": event.envelope.type, "reason": reason})

    async def take(self, keys: Sequence[str]) -> list[DecodedEvent]:
        """The parked events of these cases in the order they were parked, removed from the
        parking (the caller applies them in its transaction: both happen, or neither)."""
        table = self._table
        rows: list[Row[Any, Any]] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start:start + _CHUNK])
            found = (await self._session.execute(select(table.c.id, table.c.envelope).where(
                table.c.aggregate_id.in_(chunk)))).all()
            if found:
                await self._session.execute(delete(table).where(table.c.aggregate_id.in_(chunk)))
            rows += found
        rows.sort(key=lambda row: row.id)
        return [registry.decode(row.envelope.encode()) for row in rows]

    async def forget(self, key: str) -> int:
        """Delete the parked events of an erased case; how many there were."""
        result = await self._session.execute(delete(self._table).where(
            self._table.c.aggregate_id == key))
        return affected_rows(result)

    async def count(self) -> int:
        result = await self._session.execute(select(func.count()).select_from(self._table))
        return result.scalar_one()


async def purge_parked_events(sessions: async_sessionmaker[AsyncSession], table: Table,
                              retention: timedelta) -> int:
    """Delete the events parked longer than ``retention``: their case did not arrive in that
    time (erased before it arrived, or its registration lost upstream), and they must not keep
    a pseudonym for ever. Logged with the count, so an operator sees events being given up."""
    cutoff = datetime.now(UTC) - retention
    async with sessions() as session, session.begin():
        result = await session.execute(delete(table).where(table.c.parked_at < cutoff))
    purged = affected_rows(result)
    if purged:
        logger.warning("parked events given up: their case did not arrive within the retention",
                       extra={"events": purged, "retention_days": retention.days})
    return purged


def parked_events_purger(sessions: async_sessionmaker[AsyncSession], table: Table,
                         retention: timedelta, interval: float = 3600.0
                         ) -> Callable[[], Awaitable[None]]:
    """A background job (``ServiceRuntime.run_in_background``) that purges once per
    ``interval`` seconds, surviving any single failure (the database may be away for a while)."""
    return repeating("purging parked events",
                     lambda: purge_parked_events(sessions, table, retention), interval)
