"""Waking an outbox relay that runs in another process than the commits it is to send.

In the web process the unit of work wakes the relay directly after a commit with events. A
separate relay process (``ankommen-<service> relay``) learns of a commit from the database:

* **PostgreSQL: ``LISTEN``/``NOTIFY``.** The unit of work adds ``SELECT pg_notify(channel,
  '')`` to every transaction that writes outbox rows (:func:`outbox_notice`); PostgreSQL
  delivers the notification when — and only if — that transaction commits, to every listening
  connection, in well under a millisecond. The relay listens on a connection of its own
  (asyncpg's ``add_listener``). Identical notifications of one transaction are folded into
  one, so a unit of work that flushes its outbox twice notifies once. If the listening
  connection is lost the relay falls back to its idle poll (one query a second) and listens
  again after a pause; rows committed meanwhile are sent by that poll. The cost in the
  committing transaction is one more statement (a round trip, ~0.1 ms); PostgreSQL
  serialises the commits of notifying transactions on its notification queue, which matters
  only far beyond the commit rates of one service.
* **SQLite: ``PRAGMA data_version``, then the outbox's newest id.** SQLite has no
  notifications between processes. ``data_version`` on a connection changes when *another*
  connection has committed to the file; asking costs ~1.5 µs (measured: 100,000 calls, CPython
  3.11, WAL) and takes no lock a writer waits for (in WAL mode a reader only reads the
  shared-memory index). The relay asks on its own plain ``sqlite3`` connection, in its event
  loop (no thread hop: a hop costs more than the question): every :data:`SQLITE_POLL_SECONDS`
  while commits come, every :data:`SQLITE_IDLE_POLL_SECONDS` after a second without one. Most
  commits write no event — the service's consumers record what they read, the relay stamps
  what it sent — so when the answer changed the watcher asks one more question, the id of the
  newest pending row (the end of the ``ix_outbox_pending`` range, microseconds), and wakes the
  relay only when there is one it has not woken it for: a relay round costs a session, a
  transaction and a query (~1 ms of CPU), and before this every commit of the file cost one
  (issue 21: progress's relay spent 5 ms of CPU per registration on rounds that found nothing,
  since progress publishes nothing for a registration). Rows still pending after a round — a
  failure, a full batch, a relay that stopped holding the lock — need no wake: the relay
  retries after a failure, goes on after a full batch and looks every idle interval anyway.
  The pace is a trade of latency for CPU: each poll is a timer and an ``epoll`` round of the
  event loop, ~40–80 µs of CPU on the shared two-core machine. Polling every 2 ms cost ~40 ms
  of CPU per second while commits came, 2.8 ms per registration at B4's 14 per second in each
  of three relay processes; every 5 ms costs less than half of it and adds ~2 ms to the
  average commit-to-send latency (a commit wakes the relay after ≤ 5 ms while busy, ≤ 20 ms
  after a quiet second) — far below what a registration takes to reach the dashboard.
  Polling the outbox itself instead of ``data_version`` would cost a read transaction and a
  query each time, and a file-system watch (inotify on the WAL file) would fire on every
  write of every connection, checkpoints included, and is not portable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable

from sqlalchemy import Executable, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

#: How often a relay on SQLite asks whether another connection committed (seconds): while
#: commits come (within :data:`SQLITE_BUSY_SECONDS` of the last one), and when idle.
SQLITE_POLL_SECONDS = 0.005
SQLITE_IDLE_POLL_SECONDS = 0.020
SQLITE_BUSY_SECONDS = 1.0
#: How long a relay on PostgreSQL waits before listening again on a new connection.
LISTEN_AGAIN_SECONDS = 1.0


def notice_channel(service: str) -> str:
    """The notification channel of a service's outbox (one database per service; the name
    keeps services apart where they share one, as tests may)."""
    return f"ankommen_outbox_{service}"


def outbox_notice(service: str) -> Executable:
    """The statement a transaction that wrote outbox rows runs on PostgreSQL when a separate
    relay process is to be woken (delivered at commit, not at all on a rollback)."""
    return select(func.pg_notify(notice_channel(service), ""))


async def watch_commits(engine: AsyncEngine, service: str, wake: Callable[[], None], *,
                        outbox: str = "outbox") -> None:
    """Call ``wake`` soon after every commit of another connection that wrote rows to the
    ``outbox`` table, until cancelled."""
    if engine.dialect.name == "postgresql":
        await _listen(engine, notice_channel(service), wake)
    else:
        database = engine.url.database
        if not database or database == ":memory:":
            # Only this process can write to it: the unit of work wakes the relay itself.
            await asyncio.Event().wait()
            return
        await _watch_data_version(database, outbox, wake)


async def _listen(engine: AsyncEngine, channel: str, wake: Callable[[], None]) -> None:
    while True:
        try:
            await _listen_until_lost(engine, channel, wake)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the idle poll sends meanwhile
            logger.warning("outbox relay cannot listen for commits; polling until it can",
                           extra={"error": type(error).__name__,
                                  "retry_in_s": LISTEN_AGAIN_SECONDS})
        await asyncio.sleep(LISTEN_AGAIN_SECONDS)


async def _listen_until_lost(engine: AsyncEngine, channel: str,
                             wake: Callable[[], None]) -> None:
    """Listen on a connection of our own (asyncpg's, under SQLAlchemy's pool) until it closes."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        lost = asyncio.Event()

        def notified(*_: object) -> None:
            wake()

        await driver.add_listener(channel, notified)
        def connection_lost(*_: object) -> None:
            lost.set()

        driver.add_termination_listener(connection_lost)
        logger.info("outbox relay listening for commits", extra={"channel": channel})
        wake()  # rows committed before we listened
        try:
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await driver.remove_listener(channel, notified)


async def _watch_data_version(database: str, outbox: str, wake: Callable[[], None]) -> None:
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    # -1 for none pending: only ``None`` means that SQLite could not answer.
    newest = (f'SELECT coalesce((SELECT id FROM "{outbox}" WHERE published_at IS NULL '
              "AND parked_at IS NULL ORDER BY id DESC LIMIT 1), -1)")
    try:
        # Never wait: a busy answer (a checkpoint restarting the WAL) counts as a change.
        connection.execute("PRAGMA busy_timeout=0")
        last = _data_version(connection)
        last_id = _ask(connection, newest)
        loop = asyncio.get_running_loop()
        changed_at = loop.time()
        while True:
            busy = loop.time() - changed_at < SQLITE_BUSY_SECONDS
            await asyncio.sleep(SQLITE_POLL_SECONDS if busy else SQLITE_IDLE_POLL_SECONDS)
            current = _data_version(connection)
            if current is not None and current == last:
                continue
            last, changed_at = current, loop.time()
            current_id = _ask(connection, newest)
            # Unknown (busy, or no table yet) counts as new rows: a needless round is cheap,
            # a missed one waits for the idle poll. A row that is still pending after a round
            # stays the newest and wakes nothing: the relay retries it on its own.
            if current_id is None or (current_id != last_id and current_id != -1):
                wake()
            last_id = current_id
    finally:
        connection.close()


def _data_version(connection: sqlite3.Connection) -> int | None:
    return _ask(connection, "PRAGMA data_version")


def _ask(connection: sqlite3.Connection, question: str) -> int | None:
    """The one value ``question`` answers, or ``None`` if SQLite cannot answer it now."""
    try:
        return connection.execute(question).fetchone()[0]
    except sqlite3.OperationalError:
        return None
