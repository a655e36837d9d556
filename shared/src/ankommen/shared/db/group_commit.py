"""Group commit: one writer per service database writes the units of work that hand it their
writes, many units in one transaction and one COMMIT.

Why. On SQLite one transaction writes at a time per file, and through aiosqlite every
statement is two or three hand-offs to the driver's thread, each waiting for the event loop
to come round (~0.35 ms under load): a registration held the write lock 8.4–9 ms for 0.07 ms
of SQLite work, which capped intake at ~120–146 registrations/s (issue 21 item 1,
docs/decisions/0011-group-commit.md). Here a unit's inserts are *collected* while it runs
(:class:`GroupedWrites`) and written at its commit by the writer, which takes every unit waiting at
that moment (at most ``max_units``, having waited at most ``max_wait`` seconds for companions) and
writes them in
one transaction — on SQLite in **one** hand-off to its own thread with a plain synchronous
connection, on PostgreSQL in one checkout and one COMMIT, a few groups at once (its
statements are still round trips). The write lock is then held for the SQLite work, not
for the event loop's turns.

Each unit keeps its own outcome: its statements run inside a SAVEPOINT, so a unit whose
statements fail is rolled back alone and its caller gets that error while the others commit;
a failing COMMIT (or BEGIN, or a lost connection) fails every unit of the group, and each
caller sees the error, so nothing reported as stored is lost. A caller cancelled while its
unit still waits for a group is taken out of the queue (nothing of it is written); once its
group is being written, the group is finished regardless (a cancelled request may have been
stored, as with a commit that was under way).

The writer also keeps the *write turn* for units that must read and then write on their own
session (a read for update on SQLite, which has no row locks): :meth:`GroupWriter.turn` waits
until no group is being written and holds the next one back until that unit has ended.
PostgreSQL locks rows, so there the turn is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from ankommen.shared.db.engine import synchronous_sqlite_engine

if TYPE_CHECKING:
    import sqlite3

T = TypeVar("T")

logger = logging.getLogger(__name__)

#: How long the writer waits for companions after the first unit of a group arrived. Under
#: load, units arrive while a group is being written and form the next group anyway; the wait
#: only matters for a burst that begins while the writer is idle.
DEFAULT_MAX_WAIT_SECONDS = 0.002
#: The most units written in one transaction (bounds a group's time holding the lock).
DEFAULT_MAX_UNITS = 64
#: Groups written at once on PostgreSQL (each on a connection of the service's pool).
PARALLEL_GROUPS = 4


@dataclass(frozen=True)
class Write:
    statement: Executable
    parameters: Sequence[dict[str, Any]] | dict[str, Any] | None = None
    #: Runs once per transaction however many units of the group carry it (the same
    #: statement object): a separate relay's wake-up, ``pg_notify``, which PostgreSQL would
    #: fold into one notification at commit anyway.
    once_per_group: bool = False


class GroupedWrites:
    """Where a unit's writes go when a group writer writes them: ``execute`` only collects
    (statement and bound parameters; it returns nothing), the writer runs them at the unit's
    commit, in order. Shaped like the part of ``AsyncSession`` that insert-only repositories
    use, so that they take either."""

    def __init__(self) -> None:
        self.writes: list[Write] = []

    async def execute(self, statement: Executable,
                      parameters: Sequence[dict[str, Any]] | dict[str, Any] | None = None
                      ) -> None:
        self.writes.append(Write(statement, parameters))

    def once_per_group(self, statement: Executable) -> None:
        """``statement`` runs once in the group's transaction, after the merged inserts."""
        self.writes.append(Write(statement, once_per_group=True))


@dataclass
class _Unit:
    writes: list[Write]
    outcome: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


def write_group(connection: Connection, units: Sequence[Sequence[Write]]
                ) -> list[BaseException | None]:
    """Write ``units`` in one transaction on ``connection`` (synchronous: on SQLite this
    runs in the writer's thread, on PostgreSQL through ``AsyncConnection.run_sync``) and
    return each unit's own failure or ``None``. A failing BEGIN or COMMIT raises (it fails
    them all).

    First, optimistically, the group's plain inserts are merged — one ``executemany`` per
    table and column set, in the order the tables first appear, each unit's rows in unit
    order (so the outbox keeps every key's order) — inside one savepoint: for a group of ten
    registrations 7 statements instead of 70 and 20 savepoint statements. Only if that fails
    (a unit's own conflict) is it rolled back and every unit written in a savepoint of its
    own, which finds the failing one."""
    with connection.begin():
        if len(units) == 1:
            # Alone in its group: its own failure rolls back the whole transaction, which
            # holds nothing else — no savepoint needed.
            _execute(connection, units[0])
            return [None]
        merged = merged_inserts(units)
        if merged is not None:
            try:
                with connection.begin_nested():
                    _execute(connection, merged)
            except Exception:  # noqa: BLE001, S110 - one unit's failure: found below
                pass
            else:
                return [None] * len(units)
        outcomes: list[BaseException | None] = []
        for writes in units:
            try:
                with connection.begin_nested():
                    _execute(connection, writes)
            except Exception as error:  # noqa: BLE001 - the unit's own outcome
                outcomes.append(error)
            else:
                outcomes.append(None)
    return outcomes


def _execute(connection: Connection, writes: Sequence[Write]) -> None:
    for write in writes:
        connection.execute(write.statement, write.parameters)


def merged_inserts(units: Sequence[Sequence[Write]]) -> list[Write] | None:
    """The units' writes as one ``executemany`` per table and column set, or ``None`` if any
    write is not a plain ``insert(table)`` with bound rows (values, RETURNING, prefixes,
    ON CONFLICT … are never merged). Writes to run once per group come last, once each."""
    rows_by_key: dict[tuple[object, frozenset[str]], tuple[Executable, list[dict[str, Any]]]] = {}
    once: list[Write] = []
    for writes in units:
        for write in writes:
            statement, parameters = write.statement, write.parameters
            if write.once_per_group:
                if all(known.statement is not statement for known in once):
                    once.append(write)
                continue
            if type(statement) is not Insert or vars(statement).keys() != {"table"}:
                return None
            rows = [parameters] if isinstance(parameters, dict) else list(parameters or ())
            if not rows:
                return None
            columns = rows[0].keys()
            if any(row.keys() != columns for row in rows):
                return None
            key = (statement.table, frozenset(columns))
            if key not in rows_by_key:
                rows_by_key[key] = (statement, [])
            rows_by_key[key][1].extend(rows)
    return [Write(statement, rows) for statement, rows in rows_by_key.values()] + once


#: Runs a synchronous function against the writer's connection; returns its result.
Runner = Callable[[Callable[[Connection], T]], Awaitable[T]]


class GroupWriter:
    """The one writer of a service database (see the module's docstring)."""

    def __init__(self, run: Runner[list[BaseException | None]], *, serial: bool,
                 max_wait: float = DEFAULT_MAX_WAIT_SECONDS, max_units: int = DEFAULT_MAX_UNITS,
                 close: Callable[[], Awaitable[None]] | None = None) -> None:
        self._run = run
        self._serial = serial
        self.max_wait = max_wait
        self.max_units = max_units
        self._close = close
        self._queue: list[_Unit] = []
        self._arrived = asyncio.Event()
        #: Held while a group is written (SQLite) and by a unit in its write turn.
        self._lock = asyncio.Lock()
        #: Groups written at the same time: one on SQLite (one writer per file); on
        #: PostgreSQL a few, each on its own pooled connection — there a serial writer would
        #: queue every registration behind one connection's round trips, while the server
        #: commits concurrent transactions in parallel (and flushes their WAL together).
        self._parallel = 1 if serial else PARALLEL_GROUPS
        self._tasks: set[asyncio.Task[None]] = set()
        self._gathering = False
        #: Groups written and units in them, for the benchmark's report.
        self.groups = 0
        self.units = 0

    @classmethod
    def for_engine(cls, engine: AsyncEngine, *, max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
                   max_units: int = DEFAULT_MAX_UNITS) -> GroupWriter:
        """SQLite: its own synchronous connection on a thread of its own (one hand-off per
        group). PostgreSQL: a connection from ``engine``'s pool per group."""
        if engine.dialect.name == "sqlite":
            return _sqlite_writer(engine, max_wait=max_wait, max_units=max_units)

        async def run(function: Callable[[Connection], T]) -> T:
            async with engine.connect() as connection:
                return await connection.run_sync(function)

        return cls(run, serial=False, max_wait=max_wait, max_units=max_units)

    async def commit(self, writes: list[Write]) -> None:
        """Write ``writes`` as one unit; returns when the transaction that holds them has
        committed, raises the unit's own failure or the group's."""
        unit = _Unit(list(writes))
        self._queue.append(unit)
        self._arrived.set()
        self._start_writing()
        try:
            await asyncio.shield(unit.outcome)
        except asyncio.CancelledError:
            if unit in self._queue:  # not taken into a group yet: nothing of it is written
                self._queue.remove(unit)
            else:  # its group's outcome arrives with nobody waiting for it
                unit.outcome.add_done_callback(_retrieved)
            raise

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncGenerator[None]:
        """Exclusive writing on SQLite (no group is written meanwhile); a no-op on PostgreSQL."""
        if not self._serial:
            yield
            return
        async with self._lock:
            yield

    def _start_writing(self) -> None:
        """Another group is started only if none is gathering its units (that one takes the
        new unit) and fewer than ``_parallel`` are being written."""
        if self._queue and not self._gathering and len(self._tasks) < self._parallel:
            task = asyncio.get_running_loop().create_task(self._write_groups(),
                                                          name="group-writer")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _write_groups(self) -> None:
        try:
            while self._queue:
                self._gathering = True
                try:
                    await self._gather_companions()
                finally:
                    self._gathering = False
                group, self._queue = self._queue[:self.max_units], self._queue[self.max_units:]
                if not self._queue:
                    self._arrived.clear()
                if not group:
                    return
                self._start_writing()  # those left over, on another connection if allowed
                await self._write(group)
        finally:
            # No longer counted from the moment the queue was found empty, not from the
            # task's done-callback: a unit arriving in between (its request resumed first)
            # would find this task still counted, start no writer and wait for the next
            # commit — in the demo, a registration hung until its client gave up.
            task = asyncio.current_task()
            if task is not None:
                self._tasks.discard(task)

    async def _gather_companions(self) -> None:
        """Let units that are about to commit join, for at most ``max_wait``. A task that
        finds the queue empty (others started at the same moment took every unit) has no
        group to gather for and returns at once, rather than waiting out the bound."""
        await asyncio.sleep(0)
        deadline = time.monotonic() + self.max_wait
        while self._queue and len(self._queue) < self.max_units:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)

    async def _write(self, group: list[_Unit]) -> None:
        units = [unit.writes for unit in group]
        try:
            if self._serial:
                async with self._lock:
                    outcomes = await self._run(lambda connection: write_group(connection, units))
            else:
                outcomes = await self._run(lambda connection: write_group(connection, units))
        except BaseException as error:  # noqa: BLE001 - handed to every caller of the group
            for unit in group:
                if not unit.outcome.done():
                    unit.outcome.set_exception(error)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        self.groups += 1
        self.units += len(group)
        for unit, outcome in zip(group, outcomes, strict=True):
            if unit.outcome.done():
                continue
            if outcome is None:
                unit.outcome.set_result(None)
            else:
                unit.outcome.set_exception(outcome)

    async def close(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self.groups:
            logger.info("group writer: %d units in %d transactions", self.units, self.groups)
        if self._close is not None:
            await self._close()


def _retrieved(outcome: asyncio.Future[None]) -> None:
    if not outcome.cancelled():
        outcome.exception()


def _sqlite_writer(engine: AsyncEngine, *, max_wait: float, max_units: int) -> GroupWriter:
    """The writer's own synchronous SQLite connection (pysqlite, same file, same pragmas),
    used only by its own thread: one hand-off per group instead of 2–3 per statement.

    pysqlite's own transaction handling is switched off (``isolation_level = None``) so that
    SAVEPOINTs nest in the transaction that ``BEGIN IMMEDIATE`` opens (SQLAlchemy's documented
    recipe); IMMEDIATE takes the write lock at once, so a group never fails halfway on a lock
    another connection took after it began."""
    sync_engine = synchronous_sqlite_engine(engine, poolclass=NullPool)

    @event.listens_for(sync_engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
    held: list[Connection] = []

    def on_thread(function: Callable[[Connection], T]) -> T:
        if not held:
            held.append(sync_engine.connect())
        connection = held[0]
        try:
            return function(connection)
        except Exception:
            # A connection that failed mid-transaction is not trusted again.
            held.clear()
            with contextlib.suppress(Exception):
                connection.close()
            raise

    async def run(function: Callable[[Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(executor, on_thread, function)

    def dispose() -> None:
        for connection in held:
            connection.close()
        held.clear()
        sync_engine.dispose()

    async def close() -> None:
        await asyncio.get_running_loop().run_in_executor(executor, dispose)
        executor.shutdown(wait=False)

    return GroupWriter(run, serial=True, max_wait=max_wait, max_units=max_units, close=close)
