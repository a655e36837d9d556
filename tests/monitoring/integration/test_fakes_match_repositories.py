"""The in-memory fakes (``tests/monitoring/fakes.py``) answer as the real repositories do: the
same inputs through a real unit of work (SQLite, migrated) and a fake one give the same answers
— the cells a table is computed from, the intake figures, the review list and its order, the
archive and its ledger, which facts count — and the same refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from ankommen.monitoring.adapters.archive import ProcessedMeanwhile
from ankommen.monitoring.adapters.review import DecisionRecord
from ankommen.monitoring.domain.bounds import Bounds, months_before
from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.domain.history import archived_fact
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import registry
from tests.monitoring.facts_topic import arrival, capacity, placement
from tests.monitoring.fakes import FakeDatabase
from tests.monitoring.listed_topic import migrated

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
CLOSED = months_before(MONTH, 3)
BOUNDS = Bounds(frozenset({"03358", "03359"}), timedelta(days=5))
CONSUMER = "monitoring.facts"


def envelopes() -> list[Envelope]:
    return ([arrival(MONTH, "03358", level) for level in ("A0", "A1", "A1", "B1") * 2]
            + [arrival(MONTH, "03359", "A2") for _ in range(3)]
            # Held: an unknown district, a closed month.
            + [arrival(MONTH, "09162", "A1") for _ in range(2)]
            + [arrival(CLOSED, "03358", "A2",
                       datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20, tzinfo=UTC))
               for _ in range(2)]
            + [placement(MONTH, "03358", waiting_weeks=weeks) for weeks in range(4)]
            + [capacity(MONTH, "03358", 20 + minute, minute, sequence=minute + 1)
               for minute in range(3)])


def canonical(cells: list[Any]) -> list[str]:
    return sorted(repr((cell.month, cell.district, sorted(cell.dimensions.items()), cell.n,
                        cell.key_sum, sorted(cell.values.items()))) for cell in cells)


async def answers(units: Callable[[], Any], facts: list[Envelope]) -> list[Any]:
    """Everything the key methods answer for ``facts``, written in two units."""
    events = [registry.decode(envelope.to_bytes()) for envelope in facts]
    received = NOW.replace(microsecond=0)
    folded = FoldedFacts(BOUNDS)
    for event in events:
        fold_fact(folded, event, received)
    held = sorted(folded.held)
    archived = [archived_fact(event.envelope, received) for event in events]
    found: list[Any] = []
    async with units() as unit:
        await unit.aggregates.write(folded)
        found.append(await unit.archived_facts.add(archived[:5], known_new=True))
        found.append(await unit.archived_facts.add(archived))  # the first five are left
        await unit.archived_facts.mark_processed([fact.event_id for fact in archived[:3]])
        await unit.review_entries.record([
            DecisionRecord(held[0], Decision.APPLIED, "unknown_district", MONTH, "admin:a",
                           received),
            DecisionRecord(held[1], Decision.DISCARDED, "closed_month", CLOSED, "admin:b",
                           received + timedelta(minutes=1))])
        await unit.commit()
    async with units() as unit:
        found += [canonical(await unit.aggregates.cells_of("arrivals", MONTH, MONTH)),
                  canonical(await unit.aggregates.cells_of("arrivals", CLOSED, MONTH, "03359")),
                  canonical(await unit.aggregates.cells_of("capacity", MONTH, MONTH)),
                  await unit.aggregates.months(), await unit.aggregates.districts(),
                  await unit.aggregates.intake()]
        review = unit.review_entries
        found += [await review.pending_counts(), await review.pending(None, None, 100),
                  await review.pending("closed_month", CLOSED, 1),
                  await review.entries([*held, "unknown"]), await review.decisions(10),
                  await review.applied(), await review.applied_ids()]
        archive = unit.archived_facts
        found += [await archive.processed_of([fact.event_id for fact in archived[:4]]),
                  await archive.checksums(), await archive.receipts(), await archive.held(),
                  await archive.recorded(), await archive.body(archived[0].event_id),
                  await archive.body("unknown"), await archive.count(),
                  [[tuple(row) for row in page] async for page in archive.pages(size=7)],
                  await unit.processed_facts.ids(CONSUMER),
                  await unit.processed_facts.legacy(CONSUMER, [archived[0].event_id])]
        await unit.processed_facts.clear(CONSUMER)
        found.append(await unit.processed_facts.ids(CONSUMER))
        await unit.aggregates.clear()
        found.append(await unit.aggregates.months())
    return found


async def refusals(units: Callable[[], Any], facts: list[Envelope]) -> list[str]:
    """The same refusals: a second archive row or decision under one event id, a fact that
    another transaction marked processed."""
    event = registry.decode(facts[0].to_bytes())
    fact = archived_fact(event.envelope, NOW)
    refused: list[str] = []
    async with units() as unit:
        await unit.archived_facts.add([fact])
        await unit.commit()
    async with units() as unit:
        with pytest.raises(IntegrityError):
            await unit.archived_facts.add([fact], known_new=True)
    async with units() as unit:
        with pytest.raises(ProcessedMeanwhile):
            await unit.archived_facts.mark_processed([fact.event_id], found_unmarked=True)
        refused.append("processed meanwhile")
    record = DecisionRecord(fact.event_id, Decision.DISCARDED, "future", MONTH, "admin:a", NOW)
    async with units() as unit:
        await unit.review_entries.record([record])
        await unit.commit()
    async with units() as unit:
        with pytest.raises(IntegrityError):
            await unit.review_entries.record([record])
    return refused


async def test_the_fake_repositories_answer_as_the_real_ones(sqlite_databases):
    facts = envelopes()
    async with migrated(await sqlite_databases.url("monitoring")) as runtime:
        real = await answers(runtime.uow, facts)
        real_refusals = await refusals(runtime.uow, facts)
    fake = FakeDatabase()
    assert await answers(fake, facts) == real
    assert await refusals(FakeDatabase(), facts) == real_refusals
    assert fake.commits == 1

