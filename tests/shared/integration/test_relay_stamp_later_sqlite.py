"""The SQLite relay does not wait for the write lock to stamp (issue 21, B4's latency tail).

Another connection — in production the service's own unit of work, assignment's allocation
holding the lock for its whole batch — holds SQLite's one write lock. The relay sends what it
finds anyway, keeps the sent rows' ids, sends later rows without them, and stamps them all once
the lock is free; while it keeps them no other relay of the file sends anything, and a relay
stopped on purpose stamps them before it ends. Real file, real broker, a second plain
``sqlite3`` connection holding ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.messaging.producer import RelayProducer
from ankommen.shared.messaging.relay import OutboxRelay
from ankommen.shared.messaging.tables import MessagingTables
from ankommen.shared.messaging.topics import CASES
from tests.shared.integration.test_outbox_relay import make_outbox, received
from tests.support.surveys import survey


@contextmanager
def write_lock_held(url: str) -> Iterator[sqlite3.Connection]:
    """SQLite's write lock, taken by a connection of its own until the block ends."""
    holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield holder
        holder.execute("COMMIT")
    finally:
        holder.close()


def unstamped(holder: sqlite3.Connection) -> int:
    return holder.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]


async def write_rows(uow, pseudonym: str, count: int) -> list[str]:  # noqa: ANN001
    ids = []
    for day in range(1, count + 1):
        async with uow() as unit:
            envelope = await unit.publish(CaseRegistered(
                pseudonym=pseudonym, survey=Survey(**survey()),
                registered_on=date(2026, 1, day)), key=pseudonym)
            await unit.commit()
        ids.append(envelope.id)
    return ids


@dataclass
class Outbox:
    """A SQLite outbox with its relay, and a second instance's sessions on the same file."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    uow: UnitOfWorkFactory
    other_sessions: async_sessionmaker[AsyncSession]
    producer: RelayProducer
    relay: OutboxRelay


@pytest.fixture
async def outbox(kafka, sqlite_databases) -> AsyncIterator[Outbox]:  # noqa: ANN001
    url = await sqlite_databases.url("relay")
    engine, sessions, tables, uow = await make_outbox(url)
    other_engine, other_sessions, *_ = await make_outbox(url)
    producer = RelayProducer(kafka.bootstrap_servers, (CASES,), client_id="relay-test")
    relay = OutboxRelay(sessions, tables, producer.send, send_wave=producer.send_wave,
                        service="test")
    yield Outbox(url, engine, sessions, tables, uow, other_sessions, producer, relay)
    await other_engine.dispose()
    await engine.dispose()


async def test_the_relay_sends_on_while_the_write_lock_is_taken_and_stamps_once_it_is_free(
        kafka, outbox: Outbox):  # noqa: ANN001
    url, sessions, tables, uow = outbox.url, outbox.sessions, outbox.tables, outbox.uow
    producer, relay = outbox.producer, outbox.relay
    other = OutboxRelay(outbox.other_sessions, tables, producer.send,
                        send_wave=producer.send_wave, service="test")
    pseudonym = secrets.token_urlsafe(24)
    first = await write_rows(uow, pseudonym, 3)
    await producer.start()
    try:
        with write_lock_held(url) as holder:
            assert await relay.relay_once() == 3  # sent, not waiting for the lock
            assert unstamped(holder) == 3
            assert await other.relay_once() == 0  # the file's relay keeps them: none resent
        later = await write_rows(uow, pseudonym, 2)
        with write_lock_held(url) as holder:
            assert await relay.relay_once() == 2  # only the new rows
            assert unstamped(holder) == 5
        assert await relay.relay_once() == 0  # nothing new to send; the waiting five stamped
        assert await other.relay_once() == 0
    finally:
        await producer.stop()

    records = await received(kafka, lambda record: record.key == pseudonym.encode(), 5)
    assert [json.loads(record.value)["id"] for record in records] == first + later
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.outbox).where(
            tables.outbox.c.published_at.is_(None))) == 0


async def test_a_relay_stopped_while_its_rows_wait_for_the_stamp_stamps_them_before_it_ends(
        kafka, outbox: Outbox):  # noqa: ANN001
    url, sessions, tables, uow = outbox.url, outbox.sessions, outbox.tables, outbox.uow
    producer, relay = outbox.producer, outbox.relay
    pseudonym = secrets.token_urlsafe(24)
    await write_rows(uow, pseudonym, 4)
    await producer.start()
    stop = asyncio.Event()
    try:
        with write_lock_held(url) as holder:
            running = asyncio.create_task(relay.run(stop))
            await received(kafka, lambda record: record.key == pseudonym.encode(), 4)
            stop.set()
            assert unstamped(holder) == 4
        await asyncio.wait_for(running, 30)  # the lock free: it stamps, then ends
    finally:
        await producer.stop()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.outbox).where(
            tables.outbox.c.published_at.is_(None))) == 0
    # And it gave up the file's relay lock: another relay may relay now.
    await write_rows(uow, pseudonym, 1)
    sent: list[str] = []

    async def send(topic: str, key: bytes, value: bytes, headers: dict) -> asyncio.Future:  # noqa: ARG001
        sent.append(json.loads(value)["id"])
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    other = OutboxRelay(outbox.other_sessions, tables, send, service="test")
    assert await other.relay_once() == 1
