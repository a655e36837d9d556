"""A separate relay on SQLite is woken by commits that wrote outbox rows, and only by those
(issue 21, B4): commits of the service's consumers and the relay's own stamping change
``PRAGMA data_version`` too, and before, each of them cost the relay a round that found
nothing — progress's relay spent 5 ms of CPU per registration so. Real SQLite file, real
second connection, the watcher as the relay process runs it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import MetaData

from ankommen.shared.db.engine import create_engine
from ankommen.shared.messaging.relay_wakeup import watch_commits
from ankommen.shared.messaging.tables import messaging_tables
from tests.support.polling import eventually

ROW = ("INSERT INTO outbox (event_id, aggregate_type, aggregate_id, type, topic, payload, "
       "created_at, published_at, parked_at) VALUES (?, 'case', 'key', 'type', 'topic', '{}', "
       "'2026-12-06', ?, ?)")


class Watched:
    """How often the watcher asked ``data_version`` (to know it saw a commit; read from the
    statements its own connection runs) and how often it woke the relay."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked = 0
        self.wakes = 0
        connect = sqlite3.connect

        def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            connection = connect(*args, **kwargs)
            connection.set_trace_callback(self._ran)
            return connection

        monkeypatch.setattr(sqlite3, "connect", traced)

    def _ran(self, statement: str) -> None:
        if "data_version" in statement:
            self.asked += 1

    def wake(self) -> None:
        self.wakes += 1

    async def seen(self) -> None:
        """Until the watcher has asked twice more: it has looked at every earlier commit."""
        target = self.asked + 2
        await eventually(lambda: asyncio.sleep(0, self.asked), until=lambda n: n >= target,
                         what="the watcher polled")


def writer(path: Path) -> sqlite3.Connection:
    """The service's tables as its migrations make them; a connection of "another process"."""
    metadata = MetaData()
    messaging_tables(metadata)
    schema = sqlalchemy.create_engine(f"sqlite:///{path}")
    metadata.create_all(schema)
    schema.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def add(connection: sqlite3.Connection, event_id: str, published: str | None = None,
        parked: str | None = None) -> None:
    connection.execute(ROW, (event_id, published, parked))


@contextlib.asynccontextmanager
async def watching(connection: sqlite3.Connection, path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> AsyncGenerator[Watched]:
    """The relay process's watcher on ``path``, with what it did; it has looked once."""
    watched = Watched(monkeypatch)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    task = asyncio.create_task(watch_commits(engine, "progress", watched.wake))
    try:
        await watched.seen()
        yield watched
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        connection.close()
        await engine.dispose()


async def woken(watched: Watched, times: int, what: str) -> None:
    await eventually(lambda: asyncio.sleep(0, watched.wakes), until=lambda n: n == times,
                     what=what)


async def test_only_commits_that_add_outbox_rows_wake_the_relay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "service.db"
    connection = writer(path)
    async with watching(connection, path, monkeypatch) as watched:
        # A consumer recording what it read: no event, no round.
        for number in range(5):
            connection.execute("INSERT INTO inbox (consumer, event_id, processed_at) "
                               "VALUES ('placements', ?, '2026-12-06')", (f"event-{number}",))
            await watched.seen()
        assert watched.wakes == 0

        add(connection, "first")
        await woken(watched, 1, "woken by the new outbox row")

        # The relay stamping what it sent: no round either.
        connection.execute("UPDATE outbox SET published_at = 'now'")
        await watched.seen()
        assert watched.wakes == 1

        # Two rows committed between two polls wake once; the round sends both.
        connection.execute("BEGIN")
        add(connection, "second")
        add(connection, "third")
        connection.execute("COMMIT")
        await woken(watched, 2, "woken by the next rows")


async def test_a_row_after_a_purge_wakes_the_relay_although_its_id_was_seen_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The relay deletes what it published long ago. Without AUTOINCREMENT the next row may
    get the id of a deleted one — the newest id alone would not change — but it is pending,
    and nothing was pending before."""
    path = tmp_path / "service.db"
    connection = writer(path)
    add(connection, "parked", parked="2026-11-01")
    add(connection, "published long ago", published="2026-11-01")
    async with watching(connection, path, monkeypatch) as watched:
        connection.execute("BEGIN")
        connection.execute("DELETE FROM outbox WHERE published_at IS NOT NULL")
        add(connection, "after the purge")
        connection.execute("COMMIT")
        assert connection.execute("SELECT max(id) FROM outbox").fetchone()[0] == 2
        await woken(watched, 1, "woken by the row after the purge")
