"""Deciding review entries (``service.review.decide``) through the in-memory fakes: applying
counts a held fact as a correction of its month and logs the decision, discarding only logs
it; a refused request (an entry unknown, decided already or decided meanwhile, a fact the
archive lacks) changes nothing and commits nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.adapters.review import DecisionRecord
from ankommen.monitoring.domain.bounds import Bounds, Reason, months_before
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.monitoring.service.review import decide
from ankommen.shared.clock import MovableClock
from ankommen.shared.errors import Conflict, NotFound
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from tests.monitoring.facts_topic import arrival
from tests.monitoring.fakes import FakeDatabase, FakeUnitOfWork

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
CLOSED = months_before(MONTH, 3)
BOUNDS = Bounds(frozenset({"03358", "03359"}), timedelta(days=5))
CLAIMED = datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20, tzinfo=UTC)


async def held(database: FakeDatabase) -> tuple[list[Envelope], list[Envelope]]:
    """Two late facts for a closed month and one from a foreign district, received and held."""
    late = [arrival(CLOSED, "03358", "A2", CLAIMED) for _ in range(2)]
    foreign = [arrival(MONTH, "09162", "A1")]
    async with database() as unit:
        await fact_recorder(BOUNDS, MovableClock(NOW), "monitoring.facts")(
            unit, [Delivery(registry.decode(envelope.to_bytes()), None)
                   for envelope in [*late, *foreign]])
        await unit.commit()
    database.commits = 0
    return late, foreign


async def counted(database: FakeDatabase, month: str) -> int:
    async with database() as unit:
        return sum(cell.n for cell in await unit.aggregates.cells_of("arrivals", month, month))


async def test_applying_counts_the_facts_as_a_correction_of_their_month_and_logs_it():
    database = FakeDatabase()
    late, _ = await held(database)
    decided = await decide(database, BOUNDS, Decision.APPLIED, "admin:a", NOW,
                           reason=Reason.CLOSED_MONTH)
    assert sorted(decided.event_ids) == sorted(envelope.id for envelope in late)
    assert [(correction.month, correction.facts) for correction in decided.corrections] == [
        (CLOSED, 2)]
    assert database.commits == 1
    assert await counted(database, CLOSED) == 2
    async with database() as unit:
        decisions = await unit.review_entries.decisions(10)
        assert await unit.review_entries.pending_counts() == {"unknown_district": 1}
    assert {(record.decision, record.decided_by, record.month) for record in decisions} == {
        (Decision.APPLIED, "admin:a", CLOSED)}


async def test_discarding_only_logs_the_decision():
    database = FakeDatabase()
    _, foreign = await held(database)
    decided = await decide(database, BOUNDS, Decision.DISCARDED, "operator:o", NOW,
                           event_ids=[foreign[0].id])
    assert (decided.event_ids, decided.corrections) == ([foreign[0].id], [])
    assert await counted(database, MONTH) == 0
    async with database() as unit:
        assert await unit.review_entries.applied_ids() == set()
        assert [record.event_id for record in await unit.review_entries.decisions(10)] == [
            foreign[0].id]


async def test_an_unknown_entry_refuses_the_whole_request_and_commits_nothing():
    database = FakeDatabase()
    late, _ = await held(database)
    with pytest.raises(NotFound):
        await decide(database, BOUNDS, Decision.APPLIED, "admin:a", NOW,
                     event_ids=[late[0].id, "unknown"])
    assert database.commits == 0
    assert await counted(database, CLOSED) == 0


async def test_an_entry_decided_before_is_refused_a_second_time():
    database = FakeDatabase()
    late, _ = await held(database)
    await decide(database, BOUNDS, Decision.DISCARDED, "admin:a", NOW, event_ids=[late[0].id])
    with pytest.raises(Conflict):
        await decide(database, BOUNDS, Decision.APPLIED, "admin:b", NOW,
                     event_ids=[late[1].id, late[0].id])
    assert database.commits == 1
    assert await counted(database, CLOSED) == 0


class RacedUnit(FakeUnitOfWork):
    """A unit in which someone else's decision on the same entry lands between the request's
    read and its write: the decision row is there when it inserts its own."""

    async def __aenter__(self) -> RacedUnit:
        unit = await super().__aenter__()
        record = unit.review_entries.record

        async def raced(decisions: list[DecisionRecord]) -> None:
            other = replace(decisions[0], decision=Decision.DISCARDED, decided_by="admin:b")
            unit.state.decisions[other.event_id] = other
            await record(decisions)

        unit.review_entries.record = raced
        return unit


async def test_a_decision_taken_meanwhile_by_someone_else_is_a_conflict_and_changes_nothing():
    database = FakeDatabase()
    late, _ = await held(database)
    with pytest.raises(Conflict, match="decided meanwhile"):
        await decide(lambda: RacedUnit(database), BOUNDS, Decision.APPLIED, "admin:a", NOW,
                     event_ids=[late[0].id])
    assert database.commits == 0
    assert await counted(database, CLOSED) == 0


async def test_applying_a_fact_the_archive_lacks_is_refused():
    database = FakeDatabase()
    late, _ = await held(database)
    del database.state.archive[late[0].id]
    with pytest.raises(Conflict, match="rebuild first"):
        await decide(database, BOUNDS, Decision.APPLIED, "admin:a", NOW,
                     event_ids=[late[0].id])
    assert database.commits == 0
