"""Recording facts (``service.handlers.fact_recorder``, the facts consumer's batch handler)
through the in-memory fakes: what a batch adds to the cells, archives and holds for review,
which facts it skips, and that it leaves the commit to the consumer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.adapters.archive import ProcessedMeanwhile
from ankommen.monitoring.domain.bounds import Bounds, months_before
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from tests.monitoring.facts_topic import arrival
from tests.monitoring.fakes import FakeDatabase

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
CLOSED = months_before(MONTH, 3)
CONSUMER = "monitoring.facts"
BOUNDS = Bounds(frozenset({"03358", "03359"}), timedelta(days=5))


def deliveries(envelopes: list[Envelope]) -> list[Delivery]:
    return [Delivery(registry.decode(envelope.to_bytes()), None) for envelope in envelopes]


async def record(database: FakeDatabase, envelopes: list[Envelope]) -> None:
    """One batch in a unit of its own, committed afterwards — as the consumer does."""
    handler = fact_recorder(BOUNDS, MovableClock(NOW), CONSUMER)
    async with database() as unit:
        await handler(unit, deliveries(envelopes))
        await unit.commit()


async def arrivals(database: FakeDatabase) -> int:
    async with database() as unit:
        return sum(cell.n for cell in await unit.aggregates.cells_of("arrivals", CLOSED, MONTH))


async def test_a_batch_is_counted_archived_as_received_today_and_marked_processed():
    database = FakeDatabase()
    batch = [arrival(MONTH, "03358", "A1") for _ in range(3)]
    await record(database, batch)
    assert await arrivals(database) == 3
    async with database() as unit:
        processed = await unit.archived_facts.processed_of([envelope.id for envelope in batch])
        receipts = await unit.archived_facts.receipts()
        intake = await unit.aggregates.intake()
    assert processed == {envelope.id: True for envelope in batch}
    # Received today, to the day: the moment would link the fact to its case event.
    assert set(receipts.values()) == {datetime(NOW.year, NOW.month, NOW.day, tzinfo=UTC)}
    assert [(fact_type, applied, held) for fact_type, applied, held, _, _ in intake] == [
        ("ankommen.intake.arrival_recorded.v1", 3, 0)]


async def test_facts_out_of_bounds_are_held_for_review_and_counted_nowhere():
    database = FakeDatabase()
    await record(database, [arrival(MONTH, "09162", "A1"),
                            arrival(CLOSED, "03358", "A2",
                                    datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20, tzinfo=UTC))])
    assert await arrivals(database) == 0
    async with database() as unit:
        assert await unit.review_entries.pending_counts() == {"unknown_district": 1,
                                                              "closed_month": 1}


async def test_a_redelivered_batch_is_counted_once():
    database = FakeDatabase()
    batch = [arrival(MONTH, "03358", "A1") for _ in range(2)]
    await record(database, batch)
    await record(database, batch)
    await record(database, [*batch, arrival(MONTH, "03359", "B1")])
    assert await arrivals(database) == 3


async def test_a_fact_known_only_by_its_old_inbox_row_is_skipped():
    database = FakeDatabase()
    old = arrival(MONTH, "03358", "A1")
    database.state.inbox.add((CONSUMER, old.id))
    await record(database, [old])
    assert await arrivals(database) == 0


async def test_a_fact_archived_but_no_longer_counted_is_counted_again_and_marked():
    database = FakeDatabase()
    fact = arrival(MONTH, "03358", "A1")
    await record(database, [fact])
    async with database() as unit:  # a rebuild that accepted the loss of the fact
        await unit.processed_facts.clear(CONSUMER)
        await unit.aggregates.clear()
        await unit.commit()
    await record(database, [fact])
    assert await arrivals(database) == 1
    async with database() as unit:
        assert await unit.archived_facts.processed_of([fact.id]) == {fact.id: True}
        assert (await unit.archived_facts.held()).facts == 1


async def test_the_handler_leaves_the_commit_to_the_consumer():
    database = FakeDatabase()
    handler = fact_recorder(BOUNDS, MovableClock(NOW), CONSUMER)
    async with database() as unit:
        await handler(unit, deliveries([arrival(MONTH, "03358", "A1")]))
    assert database.commits == 0
    assert await arrivals(database) == 0


async def test_a_fact_marked_processed_meanwhile_fails_the_batch():
    """A rebuild marked the fact after this batch found it unmarked: counting it here too
    would count it twice."""
    database = FakeDatabase()
    fact = arrival(MONTH, "03358", "A1")
    await record(database, [fact])
    async with database() as unit:
        await unit.processed_facts.clear(CONSUMER)
        await unit.commit()
    handler = fact_recorder(BOUNDS, MovableClock(NOW), CONSUMER)
    async with database() as unit:
        found = await unit.archived_facts.processed_of([fact.id])
        await unit.archived_facts.mark_processed([fact.id])  # the rebuild, "meanwhile"

        async def looked_before(ids: list[str]) -> dict[str, bool]:
            return found

        unit.archived_facts.processed_of = looked_before
        with pytest.raises(ProcessedMeanwhile):
            await handler(unit, deliveries([fact]))
