"""The group writer (issue 21 item 1) on real SQLite and PostgreSQL: concurrent units are
written in few transactions, a failing unit is rolled back alone, a failing COMMIT fails every
unit of its group, a group waits for companions no longer than its bound, and a caller
cancelled while it waits leaves nothing written — and a unit of work's outbox rows go with its
grouped writes, the relay woken only after their commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import TypeVar

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.db.group_commit import GroupedWrites, GroupWriter, Write, merged_inserts
from ankommen.shared.db.sqlite_reads import OneHopReads
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.messaging.tables import messaging_tables
from tests.support.databases import DatabaseFactory
from tests.support.surveys import survey

T = TypeVar("T")

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))
#: Checked at COMMIT only: a row pointing nowhere makes the group's COMMIT fail.
replies = Table("replies", metadata, Column("id", Integer, primary_key=True),
                Column("note_id", Integer, ForeignKey("notes.id", deferrable=True,
                                                      initially="DEFERRED")))
messaging = messaging_tables(metadata)


@pytest.fixture
async def engine(databases: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(await databases.url("groupcommit"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def writer(engine: AsyncEngine) -> AsyncIterator[GroupWriter]:
    writer = GroupWriter.for_engine(engine, max_wait=0.002, max_units=64)
    yield writer
    await writer.close()


def note(number: int) -> list[Write]:
    return [Write(insert(notes), {"id": number, "text": f"note {number}"})]


async def stored(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(notes.c.id).order_by(notes.c.id)))
                    .scalars())


async def test_concurrent_units_share_transactions(engine, writer):
    await asyncio.gather(*(writer.commit(note(number)) for number in range(40)))
    assert await stored(engine) == list(range(40))
    assert writer.units == 40
    assert writer.groups < 10  # one for the first, then whoever waited meanwhile


async def test_a_failing_unit_is_rolled_back_alone(engine, writer):
    await writer.commit(note(1))
    outcomes = await asyncio.gather(
        writer.commit(note(2)),
        writer.commit([*note(3), Write(insert(notes), {"id": 1, "text": "again"})]),
        writer.commit(note(4)), return_exceptions=True)
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], IntegrityError)
    assert await stored(engine) == [1, 2, 4]  # 3 went with its unit's failing statement
    assert writer.groups == 2


async def test_a_failing_commit_fails_every_unit_of_its_group(engine, writer):
    orphan = [Write(insert(replies), {"id": 1, "note_id": 999})]
    outcomes = await asyncio.gather(writer.commit(note(1)), writer.commit(orphan),
                                    writer.commit(note(2)), return_exceptions=True)
    assert all(isinstance(outcome, IntegrityError) for outcome in outcomes), outcomes
    assert await stored(engine) == []
    await writer.commit(note(3))  # the writer goes on after the failure
    assert await stored(engine) == [3]


async def test_a_group_waits_for_companions_up_to_its_bound_and_no_longer(engine):
    """Told, not timed: a lone unit is written although no companion ever comes (the bound
    passes), and with a bound of an hour full groups are written at once — the test's
    deadlines (30 s) would run out long before the hour."""
    writer = GroupWriter.for_engine(engine, max_wait=0.05, max_units=3)
    try:
        await asyncio.wait_for(writer.commit(note(0)), 30)
        await asyncio.wait_for(writer.commit(note(1)), 30)
        assert writer.groups == 2 and writer.units == 2
    finally:
        await writer.close()
    patient = GroupWriter.for_engine(engine, max_wait=3600, max_units=3)
    try:
        await asyncio.wait_for(asyncio.gather(
            *(patient.commit(note(number)) for number in range(2, 8))), 30)
        assert patient.groups == 2 and patient.units == 6
    finally:
        await patient.close()
    assert await stored(engine) == list(range(8))


def held_until(writer: GroupWriter, release: asyncio.Event, started: asyncio.Event) -> None:
    """The writer's first group waits for ``release`` before it is written."""
    run = writer._run

    async def blocked(function: Callable[[Connection], T]) -> T:
        started.set()
        await release.wait()
        return await run(function)

    writer._run = blocked


async def test_a_cancelled_waiting_caller_leaves_nothing_written(engine, writer):
    release, started = asyncio.Event(), asyncio.Event()
    held_until(writer, release, started)
    writer._parallel = 1  # a unit waits in the queue only while every writer is busy
    first = asyncio.create_task(writer.commit(note(1)))
    await started.wait()
    waiting = asyncio.create_task(writer.commit(note(2)))
    third = asyncio.create_task(writer.commit(note(3)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    release.set()
    await first
    await third
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await stored(engine) == [1, 3]


async def test_a_unit_of_work_writes_its_outbox_rows_with_its_grouped_writes(engine, writer):
    factory = UnitOfWorkFactory(session_factory(engine), messaging, "/ankommen/intake",
                                writer=writer)
    woken: list[int] = []
    factory.on_commit_with_events(lambda: woken.append(len(woken)))

    async def register(number: int, *, fail: bool = False) -> None:
        async with factory() as uow:
            pseudonym = f"pseudonym-{number:08d}"
            await uow.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                             registered_on=date(2026, 11, 3)), key=pseudonym)
            await uow.writes.execute(insert(notes), {"id": number, "text": "x"})
            if fail:
                await uow.writes.execute(insert(notes), {"id": 1, "text": "again"})
            await uow.commit()

    await register(1)
    outcomes = await asyncio.gather(register(2), register(3, fail=True), register(4),
                                    return_exceptions=True)
    assert isinstance(outcomes[1], IntegrityError)
    assert await stored(engine) == [1, 2, 4]
    async with engine.connect() as connection:
        keys = (await connection.execute(select(messaging.outbox.c.aggregate_id)
                                         .order_by(messaging.outbox.c.id))).scalars().all()
        assert sorted(keys) == [f"pseudonym-{number:08d}" for number in (1, 2, 4)]
        assert await connection.scalar(select(func.count()).select_from(notes)) == 3
    assert len(woken) == 3  # after each committed unit, not after the failed one


async def test_units_with_other_statements_than_plain_inserts_are_written_each_in_its_own(
        engine, writer):
    await writer.commit(note(1))
    outcomes = await asyncio.gather(
        writer.commit([Write(update(notes).where(notes.c.id == 1).values(text="changed"))]),
        writer.commit([Write(insert(notes).values(id=2, text="two"))]),
        writer.commit(note(3)), return_exceptions=True)
    assert outcomes == [None, None, None]
    async with engine.connect() as connection:
        rows = (await connection.execute(select(notes).order_by(notes.c.id))).all()
    assert [tuple(row) for row in rows] == [(1, "changed"), (2, "two"), (3, "note 3")]


def test_merged_inserts_keep_the_order_of_tables_and_of_units():
    first = [Write(insert(notes), {"id": 1, "text": "a"}), Write(insert(replies), {"id": 1,
                                                                                   "note_id": 1})]
    second = [Write(insert(notes), [{"id": 2, "text": "b"}, {"id": 3, "text": "c"}])]
    merged = merged_inserts([first, second])
    assert merged is not None
    assert [(write.statement.table.name, write.parameters) for write in merged] == [
        ("notes", [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}, {"id": 3, "text": "c"}]),
        ("replies", [{"id": 1, "note_id": 1}])]
    assert merged_inserts([first, [Write(insert(notes).values(id=4))]]) is None
    assert merged_inserts([first, [Write(insert(notes), {"id": 4})]]) is not None  # own set


def test_a_write_for_the_whole_group_runs_once_after_the_merged_inserts():
    """A separate relay's wake-up (``pg_notify``) is carried by every unit that wrote outbox
    rows; the group sends it once, and it does not keep the inserts from being merged."""
    notice = select(literal(1))
    first, second = GroupedWrites(), GroupedWrites()
    for number, grouped in ((1, first), (2, second)):
        grouped.writes += note(number)
        grouped.once_per_group(notice)
    merged = merged_inserts([first.writes, second.writes])
    assert merged is not None
    assert [write.statement for write in merged][1:] == [notice]
    assert merged[0].parameters == [{"id": 1, "text": "note 1"}, {"id": 2, "text": "note 2"}]


async def test_one_hop_reads_see_what_the_writer_committed(engine, writer, databases):
    if databases.backend != "sqlite":
        pytest.skip("one-hop reads are SQLite's (PostgreSQL reads on the session)")
    reads = OneHopReads(engine)
    try:
        await writer.commit(note(1))
        rows = (await reads.execute(select(notes.c.id, notes.c.text))).all()
        assert [tuple(row) for row in rows] == [(1, "note 1")]
        rows = (await reads.execute(select(notes.c.id).where(notes.c.id.in_([2, 3])))).all()
        assert rows == []
    finally:
        await reads.close()


async def test_a_unit_arriving_just_as_the_writer_finishes_is_written_not_forgotten(engine):
    """A unit that commits in the moment the writer's task has written its last group — the
    task done, its done-callback not yet run — must start a writer of its own. It once found
    the finished task still counted, started none and waited for the next commit (in the demo,
    a registration hung until its client gave up after 60 s)."""
    writer = GroupWriter.for_engine(engine, max_wait=0)
    run = writer._run  # noqa: SLF001 - the seam where the moment can be reached
    late: list[asyncio.Future[None]] = []

    async def run_then_let_one_arrive(function: Callable[[Connection], T]) -> T:
        outcome = await run(function)
        if not late:  # its first step runs after this group's task ends, before its callbacks
            late.append(asyncio.ensure_future(writer.commit(note(2))))
        return outcome

    writer._run = run_then_let_one_arrive  # noqa: SLF001
    await writer.commit(note(1))
    await asyncio.wait_for(late[0], timeout=10)  # a deadline, not a pause: returns when written
    assert await stored(engine) == [1, 2]
    await writer.close()
