"""RebuildAggregates: throw the aggregates away and recompute them from offset 0 of the facts
topic, in one transaction — readers see the old numbers until the new ones are complete.

Facts go through the same admission rule and the same folding as live, duplicates (the same
event id twice on the topic) are counted once, and the inbox of the live consumer is rewritten
to exactly the facts replayed, so the live consumer neither skips nor double-counts afterwards.
The end of the topic is read after the old aggregates were deleted inside the transaction, so a
fact the live consumer committed just before cannot be lost.

The whole topic is folded in memory (one entry per touched cell, not per fact) and written once
at the end; only the inbox rows are written as the batches come in, so the database works
while the next batch is fetched and decoded.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.facts import admit_only_facts
from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.envelope import InvalidEvent
from ankommen.shared.events.registry import registry


@dataclass(frozen=True)
class RebuildResult:
    facts: int
    refused: int
    duplicates: int
    digest: str


#: Reads the topic from offset 0 to its end, in batches of message bodies.
TopicReader = Callable[[], AsyncIterable[list[bytes]]]


async def rebuild_aggregates(uow: UnitOfWorkFactory, read_topic: TopicReader, consumer: str,
                             grace: timedelta) -> RebuildResult:
    async with uow() as unit:
        aggregates = Aggregates(unit.session)
        await aggregates.clear()
        inbox = unit.tables.inbox
        await unit.session.execute(delete(inbox).where(inbox.c.consumer == consumer))
        folded = FoldedFacts(grace)
        seen: set[str] = set()
        refused = duplicates = 0
        processed_at = datetime.now(UTC)
        async for bodies in read_topic():
            new_ids = []
            for body in bodies:
                try:
                    event = registry.decode(body)
                    admit_only_facts(event)
                except InvalidEvent:
                    refused += 1  # dead-lettered when it was consumed live
                    continue
                event_id = event.envelope.id
                if event_id in seen:
                    duplicates += 1
                    continue
                seen.add(event_id)
                new_ids.append(event_id)
                fold_fact(folded, event)
            if new_ids:
                await unit.session.execute(insert(inbox), [
                    {"consumer": consumer, "event_id": event_id, "processed_at": processed_at}
                    for event_id in new_ids])
        await aggregates.write(folded)
        digest = await aggregates.digest()
    return RebuildResult(len(seen), refused, duplicates, digest)
