"""RebuildAggregates: throw the aggregates away and recompute them from offset 0 of the facts
topic, in one transaction — readers see the old numbers until the new ones are complete.

Facts go through the same admission rule and the same handler as live, duplicates (the same
event id twice on the topic) are counted once, and the inbox of the live consumer is rewritten
to exactly the facts replayed, so the live consumer neither skips nor double-counts afterwards.
The end of the topic is read after the old aggregates were deleted inside the transaction, so a
fact the live consumer committed just before cannot be lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.facts import admit_only_facts
from ankommen.monitoring.service.handlers import apply_fact
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.envelope import InvalidEvent
from ankommen.shared.events.registry import registry


@dataclass(frozen=True)
class RebuildResult:
    facts: int
    refused: int
    duplicates: int
    digest: str


TopicReader = Callable[[], Awaitable[list[bytes]]]


async def rebuild_aggregates(uow: UnitOfWorkFactory, read_topic: TopicReader, consumer: str,
                             grace: timedelta) -> RebuildResult:
    async with uow() as unit:
        aggregates = Aggregates(unit.session)
        await aggregates.clear()
        inbox = unit.tables.inbox
        await unit.session.execute(delete(inbox).where(inbox.c.consumer == consumer))
        seen: set[str] = set()
        refused = duplicates = 0
        for body in await read_topic():
            try:
                event = registry.decode(body)
                admit_only_facts(event)
            except InvalidEvent:
                refused += 1  # dead-lettered when it was consumed live
                continue
            if event.envelope.id in seen:
                duplicates += 1
                continue
            seen.add(event.envelope.id)
            await apply_fact(aggregates, event, grace)
            await unit.session.execute(insert(inbox).values(
                consumer=consumer, event_id=event.envelope.id, processed_at=datetime.now(UTC)))
        digest = await aggregates.digest()
    return RebuildResult(len(seen), refused, duplicates, digest)
