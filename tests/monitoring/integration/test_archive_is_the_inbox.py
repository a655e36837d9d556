"""The facts archive is the facts consumer's inbox (issue 21, item 4; revision 0008): the live
consumer writes no inbox row per fact, and still counts each fact once — a redelivered batch, a
copy the relay published again (at another offset, on another partition), a fact from before
the archive (known by its old inbox row) — and counts again a fact a rebuild had left out
after an accepted loss. Revision 0008 carries an installation's inbox over into the archive's
``processed`` marks. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from ankommen.monitoring.adapters.archive import FactArchive, ProcessedMeanwhile
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.adapters.tables import fact_archive, fact_intake, messaging
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.monitoring.service.rebuild import Source
from ankommen.shared.db.migrations import upgrade
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import Delivery
from ankommen.shared.messaging.topics import FACTS
from ankommen.shared.runtime import ServiceRuntime
from tests.monitoring.facts_topic import arrival
from tests.monitoring.listed_topic import ListedTopic, migrated, rebuild, settings_of

MONTH = datetime.now(UTC).strftime("%Y-%m")
MIGRATIONS = "ankommen.monitoring:migrations"


@pytest.fixture
async def monitoring(databases) -> AsyncIterator[ServiceRuntime]:  # noqa: ANN001
    async with migrated(await databases.url("monitoring")) as runtime:
        yield runtime


def deliveries(bodies: list[bytes]) -> list[Delivery]:
    return [Delivery(registry.decode(body), None) for body in bodies]


async def record(runtime: ServiceRuntime, bodies: list[bytes]) -> None:
    """One batch through the live consumer's handler, in a unit of work of its own (what
    ``BatchEventConsumer(inbox=False)`` does with a batch)."""
    handler = fact_recorder(settings_of(runtime).bounds(), runtime.clock,
                            runtime.group_id(PURPOSE))
    async with runtime.uow() as unit:
        await handler(unit, deliveries(bodies))
        await unit.commit()


async def counted(runtime: ServiceRuntime) -> tuple[int, int, int]:
    """Arrivals applied, archive rows marked processed, inbox rows."""
    async with runtime.sessions() as session:
        applied = await session.scalar(select(func.sum(fact_intake.c.applied))) or 0
        processed = await session.scalar(select(func.count()).select_from(fact_archive)
                                         .where(fact_archive.c.processed))
        inbox = await session.scalar(select(func.count()).select_from(messaging.inbox))
    return applied, processed, inbox


async def test_redeliveries_and_republished_copies_are_counted_once_without_inbox_rows(
        monitoring):
    bodies = [arrival(MONTH, "03358", level).to_bytes() for level in ("A0", "A1", "B1")]
    await record(monitoring, bodies[:2])
    async with monitoring.sessions() as session:
        once = await Aggregates(session).digest()
    # The batch again (redelivered after a lost commit), then a batch with a copy of the first
    # fact (the relay published it again) next to a new one.
    await record(monitoring, bodies[:2])
    await record(monitoring, [bodies[0], bodies[2]])
    assert await counted(monitoring) == (3, 3, 0)
    await record(monitoring, [bodies[2]])
    async with monitoring.sessions() as session:
        assert await Aggregates(session).digest() != once
    assert await counted(monitoring) == (3, 3, 0)


async def test_a_fact_left_out_by_an_accepted_loss_counts_again_and_an_old_one_does_not(
        monitoring):
    left_out, old = (arrival(MONTH, "03358", level).to_bytes() for level in ("A0", "A1"))
    await record(monitoring, [left_out])
    old_id = registry.decode(old).envelope.id
    async with monitoring.uow() as unit:
        # As a rebuild that accepted the loss of ``left_out`` leaves it: archived, not counted.
        await unit.session.execute(update(fact_archive).values(processed=False))
        await unit.session.execute(update(fact_intake).values(applied=0))
        # ``old`` was processed before the archive existed: only its inbox row knows.
        await unit.session.execute(insert(messaging.inbox).values(
            consumer=monitoring.group_id(PURPOSE), event_id=old_id,
            processed_at=datetime(2026, 1, 1, tzinfo=UTC)))
        await unit.commit()
    await record(monitoring, [left_out, old])
    assert await counted(monitoring) == (1, 1, 1)
    async with monitoring.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(fact_archive)) == 1


async def test_a_rebuild_marks_exactly_the_facts_it_replayed(monitoring):
    bodies = [arrival(MONTH, "03358", level).to_bytes() for level in ("A0", "A1", "B1")]
    await record(monitoring, bodies)
    lossy = await rebuild(monitoring, ListedTopic(bodies[1:]), Source.TOPIC, accept_loss=True)
    assert (lossy.facts, lossy.fewer) == (2, 1)
    assert await counted(monitoring) == (2, 2, 0)
    await record(monitoring, bodies)  # the lost fact arrives again: counted; the others not
    assert await counted(monitoring) == (3, 3, 0)


async def test_revision_0008_turns_the_inbox_into_processed_marks(databases):
    engine = create_async_engine(await databases.url("monitoring"))
    group = "ankommen.monitoring.facts"
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    try:
        await upgrade(engine, MIGRATIONS, "0007")
        async with engine.begin() as connection:
            for event_id in ("counted", "left-out"):
                await connection.execute(insert(fact_archive).values(
                    event_id=event_id, fact_type="t", checksum=1, body="{}", received_at=moment))
            for event_id in ("counted", "before-the-archive"):
                await connection.execute(insert(messaging.inbox).values(
                    consumer=group, event_id=event_id, processed_at=moment))
        await upgrade(engine, MIGRATIONS)
        async with engine.connect() as connection:
            marks = dict((await connection.execute(select(
                fact_archive.c.event_id.label("id"),
                fact_archive.c.processed.label("processed")))).all())
            inbox = set(await connection.scalars(select(messaging.inbox.c.event_id)))
    finally:
        await engine.dispose()
    assert marks == {"counted": True, "left-out": False}
    assert inbox == {"before-the-archive"}


async def test_a_fact_a_rebuild_marks_while_a_batch_counts_it_fails_the_batch(
        monitoring, monkeypatch):
    """A fact left out (archived, unmarked) arrives again while a rebuild replays it: the
    batch found it unmarked and counted it; the rebuild marks it and commits first. Marking
    it again would count it twice — the batch fails instead (and is retried, then skips it),
    as it used to on the inbox row's primary key."""
    [body] = [arrival(MONTH, "03358", "A0").to_bytes()]
    await record(monitoring, [body])
    event_id = registry.decode(body).envelope.id
    async with monitoring.uow() as unit:
        await unit.session.execute(update(fact_archive).values(processed=False))
        await unit.commit()
    marked, looked, committed = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def rebuild_marks_it() -> None:
        async with monitoring.uow() as unit:
            await FactArchive(unit.session, FACTS.name).mark_processed([event_id])
            marked.set()
            await looked.wait()
            await unit.commit()
        committed.set()

    processed_of = FactArchive.processed_of

    async def looked_before_the_commit(archive: FactArchive, ids: list[str]
                                       ) -> dict[str, bool]:
        found = await processed_of(archive, ids)
        looked.set()
        await committed.wait()  # the rebuild commits right after the batch looked
        return found

    rebuild = asyncio.create_task(rebuild_marks_it())
    await marked.wait()
    monkeypatch.setattr(FactArchive, "processed_of", looked_before_the_commit)
    with pytest.raises(ProcessedMeanwhile):
        await record(monitoring, [body])
    monkeypatch.undo()
    await rebuild
    assert await counted(monitoring) == (1, 1, 0)
