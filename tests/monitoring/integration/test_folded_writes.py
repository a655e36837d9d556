"""Writing folded facts: the stored aggregates are the same whether the facts arrive in one
batch or one by one in any order — including capacity snapshots whose older figures arrive in a
later batch than the newer ones (the stored snapshot must not be replaced by an older one), by
publication time or, since facts say only their month, by their producer's sequence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.domain.bounds import Bounds
from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.events.registry import DecodedEvent, registry
from tests.monitoring.facts_topic import (
    arrival,
    capacity,
    course_outcome,
    placement,
    unmet_demand,
)

#: Both districts are the county's here; each fact is received when it was published.
BOUNDS = Bounds(frozenset({"03358", "03359"}), timedelta(days=5))
NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")


def events() -> list[DecodedEvent]:
    january = datetime(2026, 1, 15, tzinfo=UTC)
    envelopes = ([arrival(MONTH, "03358", level) for level in ("A0", "A1", "A1", "B1") * 3]
                 + [arrival("2026-01", "03359", "A2", january) for _ in range(6)]
                 # Received after January closed: held for review, added nowhere.
                 + [arrival("2026-01", "03359", "A2", january + timedelta(days=40))]
                 + [placement(MONTH, "03358", waiting_weeks=weeks % 5) for weeks in range(12)]
                 + [placement(MONTH, "03358", waiting_weeks=None), unmet_demand(MONTH, "03358"),
                    course_outcome(MONTH, "03358")]
                 + [capacity(MONTH, "03358", 20 + minute, minute,
                             published_at=NOW - timedelta(minutes=minute))
                    for minute in range(6)]
                 + [capacity(MONTH, "03358", 24, 9, course_type="literacy")])
    return [registry.decode(envelope.to_bytes()) for envelope in envelopes]


async def stored(database_url: str, batches: list[list[DecodedEvent]]) -> tuple[str, list]:
    settings = MonitoringSettings(_env_file=None, database_url=database_url,
                                  kafka_bootstrap_servers="127.0.0.1:9")
    runtime = build_runtime(settings)
    await runtime.migrate()
    try:
        for batch in batches:
            folded = FoldedFacts(BOUNDS)
            for event in batch:
                fold_fact(folded, event, event.envelope.time)
            async with runtime.uow() as unit:
                await unit.aggregates.write(folded)
                await unit.commit()
        async with runtime.sessions() as session:
            aggregates = Aggregates(session)
            seats = await aggregates.cells_of("capacity", MONTH, MONTH, "03358")
            return await aggregates.digest(), sorted(
                (cell.dimensions["course_type"], cell.dimensions["seats"], cell.n)
                for cell in seats)
    finally:
        await runtime.engine.dispose()


async def test_one_batch_and_single_facts_in_any_order_store_the_same_aggregates(databases):
    facts = events()
    at_once = await stored(await databases.url("monitoring"), [facts])
    shuffled = facts[:]
    random.Random(3).shuffle(shuffled)
    one_by_one = await stored(await databases.url("monitoring"),
                              [[event] for event in shuffled])
    # Newest snapshot first: each later batch brings an older snapshot, which must lose …
    newest_first = await stored(await databases.url("monitoring"),
                                [[event] for event in facts])
    # … and oldest first: each later batch brings a newer one, which must win.
    oldest_first = await stored(await databases.url("monitoring"),
                                [[event] for event in facts[::-1]])
    assert at_once == one_by_one == newest_first == oldest_first
    # The snapshot published last (minute 0: 20 offered, 0 taken) is the one kept.
    assert at_once[1] == [("general_integration", "offered", 20),
                          ("general_integration", "taken", 0),
                          ("literacy", "offered", 24), ("literacy", "taken", 9)]


async def test_the_stored_snapshot_is_replaced_only_by_a_greater_sequence(databases):
    """Every snapshot of a month claims the month's start as its time (issue 15): the stored
    one is replaced by a greater sequence only, and one from before sequences (an exact time,
    late in the month) loses to any with a sequence, in whatever batches they come."""
    start = datetime.strptime(MONTH, "%Y-%m").replace(tzinfo=UTC)
    envelopes = [capacity(MONTH, "03358", 40, 30, published_at=NOW)]  # before sequences
    envelopes += [capacity(MONTH, "03358", 20 + sequence, sequence, published_at=start,
                           sequence=sequence) for sequence in (1, 2, 3)]
    facts = [registry.decode(envelope.to_bytes()) for envelope in envelopes]
    # Greatest sequence first: every later batch must lose; then mixed batches.
    newest_first = await stored(await databases.url("monitoring"),
                                [[event] for event in facts[::-1]])
    mixed = await stored(await databases.url("monitoring"),
                         [[facts[2]], [facts[3], facts[0]], [facts[1]]])
    assert newest_first == mixed
    assert mixed[1] == [("general_integration", "offered", 23),
                        ("general_integration", "taken", 3)]
