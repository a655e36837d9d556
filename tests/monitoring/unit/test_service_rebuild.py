"""Rebuilding the aggregates (``service.rebuild.rebuild_aggregates``) on the in-memory fakes:
from the archive or the topic it reproduces what the live consumer built, counts the applied
corrections again, archives what only the topic holds, and refuses — committing nothing — a
source that lost a fact, unless the operator accepted the loss."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.domain.bounds import Bounds, Reason, months_before
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.monitoring.service.rebuild import Source, SourceIncomplete, rebuild_aggregates
from ankommen.monitoring.service.review import decide
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from tests.monitoring.facts_topic import arrival, placement
from tests.monitoring.fakes import FakeDatabase
from tests.monitoring.listed_topic import ListedTopic

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
CLOSED = months_before(MONTH, 3)
CONSUMER = "monitoring.facts"
BOUNDS = Bounds(frozenset({"03358", "03359"}), timedelta(days=5))


def facts() -> list[Envelope]:
    return ([arrival(MONTH, "03358", level) for level in ("A1", "B1") * 4]
            + [placement(MONTH, "03359", waiting_weeks=weeks) for weeks in range(5)]
            + [arrival(CLOSED, "03358", "A2",
                       datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20, tzinfo=UTC))])


async def live(envelopes: list[Envelope]) -> FakeDatabase:
    database = FakeDatabase()
    async with database() as unit:
        await fact_recorder(BOUNDS, MovableClock(NOW), CONSUMER)(
            unit, [Delivery(registry.decode(envelope.to_bytes()), None)
                   for envelope in envelopes])
        await unit.commit()
    database.commits = 0
    return database


async def digest(database: FakeDatabase) -> str:
    async with database() as unit:
        return await unit.aggregates.digest()


def topic(envelopes: list[Envelope]) -> ListedTopic:
    return ListedTopic([envelope.to_bytes() for envelope in envelopes], stamped_at=NOW)


async def rebuild(database: FakeDatabase, envelopes: list[Envelope],
                  source: Source = Source.AUTO, accept_loss: bool = False):  # noqa: ANN201
    return await rebuild_aggregates(database, topic(envelopes), CONSUMER, BOUNDS,
                                    source=source, accept_loss=accept_loss)


async def test_a_rebuild_from_the_archive_or_the_topic_reproduces_the_live_aggregates():
    envelopes = facts()
    database = await live(envelopes)
    built = await digest(database)
    from_archive = await rebuild(database, envelopes)
    assert (from_archive.source, from_archive.facts, from_archive.digest) == (
        Source.ARCHIVE, len(envelopes), built)
    from_topic = await rebuild(database, envelopes, Source.TOPIC)
    assert (from_topic.facts, from_topic.archived, from_topic.digest) == (
        len(envelopes), 0, built)
    assert database.commits == 2
    assert await digest(database) == built


async def test_a_rebuild_counts_the_applied_corrections_again():
    envelopes = facts()
    database = await live(envelopes)
    await decide(database, BOUNDS, Decision.APPLIED, "admin:a", NOW,
                 reason=Reason.CLOSED_MONTH)
    corrected = await digest(database)
    assert (await rebuild(database, envelopes)).digest == corrected


async def test_a_rebuild_from_the_topic_archives_what_only_the_topic_holds():
    envelopes = facts()
    database = await live(envelopes[:5])
    result = await rebuild(database, envelopes, Source.TOPIC)
    assert (result.facts, result.archived) == (len(envelopes), len(envelopes) - 5)
    async with database() as unit:
        assert await unit.archived_facts.count() == len(envelopes)
        assert await unit.archived_facts.recorded() == await unit.archived_facts.held()


async def test_a_source_that_lost_a_fact_is_refused_and_nothing_is_committed():
    envelopes = facts()
    database = await live(envelopes)
    built = await digest(database)
    # The topic lacks a fact the aggregates count.
    with pytest.raises(SourceIncomplete) as refused:
        await rebuild(database, envelopes[1:], Source.TOPIC)
    assert refused.value.archive_complete
    # The archive lost a row: its ledger notices.
    del database.state.archive[envelopes[0].id]
    with pytest.raises(SourceIncomplete) as refused:
        await rebuild(database, envelopes, Source.ARCHIVE)
    assert refused.value.source is Source.ARCHIVE
    assert database.commits == 0
    assert await digest(database) == built


async def test_an_accepted_loss_rebuilds_from_what_is_left_and_says_how_many_fewer():
    envelopes = facts()
    database = await live(envelopes)
    result = await rebuild(database, envelopes[1:], Source.TOPIC, accept_loss=True)
    assert (result.before, result.facts, result.fewer) == (len(envelopes),
                                                           len(envelopes) - 1, 1)
    assert result.accepted
    assert database.commits == 1
