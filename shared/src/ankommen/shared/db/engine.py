"""Async SQLAlchemy engines: SQLite (aiosqlite) in the embedded profile, PostgreSQL (asyncpg)
otherwise. Each service has its own database; nothing here is shared between them but code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: How long a SQLite connection waits for a lock another connection holds before it fails with
#: "database is locked" (the outbox relay's stamp sets it to 0 for one try, and back).
SQLITE_BUSY_TIMEOUT_MS = 10_000


def tune_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # WAL lets the HTTP handlers read while the outbox relay writes; the busy timeout turns
    # the remaining lock conflicts into short waits instead of errors.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _connect_failures_as_database_errors(dialect: Dialect, _record: object, cargs: list[Any],
                                         cparams: dict[str, Any]) -> object:
    """Open the driver connection; a socket failure while doing so becomes SQLAlchemy's
    ``OperationalError`` (with the ``OSError`` as ``orig``, the connection invalidated).

    SQLAlchemy passes asyncpg's ``ConnectionRefusedError`` or connect timeout through bare, and
    a bare ``OSError`` is what a handler bug raises too: wrapped here, "the database cannot be
    reached" has a type of its own, which the consumers' failure classification
    (:mod:`ankommen.shared.messaging.failures`) and the API's 503 answer rely on."""
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as error:
        raise OperationalError(None, None, error, connection_invalidated=True) from error


#: Connections each service keeps to its database (PostgreSQL, and SQLite since issue 21
#: item 1): what one service process does at once — the benchmarks' 16 concurrent clients
#: (B3, B8), the outbox relay and a few consumers — with no overflow beyond it (overflow
#: connections are closed when returned and opened again in the next burst).
#: ``ANKOMMEN_<SERVICE>_DATABASE_POOL_SIZE`` changes it.
DEFAULT_POOL_SIZE = 20
#: A pooled connection older than this is replaced at its next checkout: a connection that
#: a firewall or PgBouncer dropped silently after its idle timeout is never used.
POOL_RECYCLE_SECONDS = 1800


def create_engine(url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> AsyncEngine:
    """An engine for ``url``; creates the folder of a SQLite file if needed.

    PostgreSQL connections are not pinged at checkout (``pool_pre_ping`` cost a round trip,
    ``SELECT 1``, before every transaction). A connection that died anyway — the server
    restarted, the network was cut — fails its first statement with a disconnect error;
    SQLAlchemy then invalidates that connection and the whole pool (every connection of the
    same age is as dead), the request answers 503 and the next checkout opens a fresh
    connection (tests/reliability/test_database_outage.py)."""
    if is_sqlite(url):
        database = make_url(url).database
        in_memory = _names_no_file(database)
        if database and not in_memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Sized like PostgreSQL's pool, without overflow: SQLAlchemy's default for aiosqlite
        # (5 + 10 overflow) closed the overflow connections on return, and aiosqlite opens
        # a thread per connection, so under B3's 16 concurrent requests every checkout past
        # the fifth started a thread, opened the file and ran the four PRAGMAs below — about
        # 40 % of intake's CPU per registration (docs/decisions/0011-group-commit.md).
        # An in-memory database lives in one connection (SQLAlchemy's StaticPool): no size.
        sizing: dict[str, int] = ({} if in_memory else
                                  {"pool_size": pool_size, "max_overflow": 0})
        engine = create_async_engine(url, **sizing)
        event.listen(engine.sync_engine, "connect", tune_sqlite)
    else:
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0,
                                     pool_recycle=POOL_RECYCLE_SECONDS)
    event.listen(engine.sync_engine, "do_connect", _connect_failures_as_database_errors)
    return engine


def _names_no_file(database: str | None) -> bool:
    """A SQLite URL's database part that names no file: an in-memory database."""
    return not database or database == ":memory:"


def is_in_memory(engine: AsyncEngine) -> bool:
    """An in-memory SQLite database: it exists only inside its one connection."""
    return engine.dialect.name == "sqlite" and _names_no_file(make_url(engine.url).database)


def synchronous_sqlite_engine(engine: AsyncEngine, **options: Any) -> Engine:
    """A plain ``sqlite3`` (pysqlite) engine on the same file as ``engine``, with the same
    pragmas: for work that runs in a thread of its own, one hand-off per task instead of
    aiosqlite's per statement (:mod:`.group_commit`, :mod:`.sqlite_reads`)."""
    sync_engine = create_sync_engine(make_url(engine.url).set(drivername="sqlite+pysqlite"),
                                     **options)
    event.listen(sync_engine, "connect", tune_sqlite)
    return sync_engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
