"""Transient or permanent, with the errors raised for real: a refused connection (which the
engine wraps, since SQLAlchemy passes asyncpg's ``ConnectionRefusedError`` through bare), a
locked SQLite database, one that cannot be opened, a missing table, and — when
ANKOMMEN_TEST_POSTGRES_URL is set — PostgreSQL raising each SQLSTATE the rule names.

The rule itself, on the exception classes: ``tests/shared/unit/test_failures.py``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.messaging.failures import is_transient
from ankommen.tools.embedded import free_port
from tests.support.databases import POSTGRES_URL


async def error_of(url: str, statement: str) -> sa_exc.DBAPIError:
    """The error SQLAlchemy raises for ``statement`` on a fresh engine for ``url``."""
    engine = create_engine(url)
    try:
        with pytest.raises(sa_exc.DBAPIError) as raised:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()
    return raised.value


async def test_a_refused_connection_to_postgres_is_a_wrapped_transient_error():
    # Nothing listens on the port: asyncpg raises ConnectionRefusedError, which SQLAlchemy
    # passes through bare; the engine wraps it, so that it is told apart from a handler's own.
    error = await error_of(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none",
                           "SELECT 1")
    assert isinstance(error, sa_exc.OperationalError)
    assert isinstance(error.orig, OSError)
    assert is_transient(error)


async def test_a_locked_sqlite_database_is_transient(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"
    holder, waiter = create_engine(url), create_engine(url)
    try:
        async with holder.connect() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.commit()
            await connection.exec_driver_sql("BEGIN EXCLUSIVE")
            async with waiter.connect() as other:
                await other.exec_driver_sql("PRAGMA busy_timeout=0")
                with pytest.raises(sa_exc.OperationalError) as raised:
                    await other.execute(text("INSERT INTO t VALUES (1)"))
            await connection.rollback()
    finally:
        await holder.dispose()
        await waiter.dispose()
    assert isinstance(raised.value.orig, sqlite3.OperationalError)
    assert "locked" in str(raised.value.orig)
    assert is_transient(raised.value)


async def test_a_sqlite_database_that_cannot_be_opened_is_transient(tmp_path: Path):
    # The database file's name is taken by a folder.
    (tmp_path / "db.sqlite").mkdir()
    error = await error_of(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", "SELECT 1")
    assert "unable to open" in str(error.orig)
    assert is_transient(error)


async def test_a_missing_sqlite_table_is_permanent(tmp_path: Path):
    error = await error_of(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
                           "SELECT * FROM no_such_table")
    assert "no such table" in str(error.orig)
    assert not is_transient(error)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="ANKOMMEN_TEST_POSTGRES_URL is not set")
@pytest.mark.parametrize(("sqlstate", "transient"), [
    ("40001", True),  # serialization_failure
    ("40P01", True),  # deadlock_detected
    ("57P03", True),  # cannot_connect_now
    ("53300", True),  # too_many_connections
    ("08006", True),  # connection_failure
    ("23505", False),  # unique_violation
    ("22003", False),  # numeric_value_out_of_range
    ("42P01", False),  # undefined_table
    ("P0001", False),  # raise_exception: a bug in a function
])
async def test_errors_postgresql_raises_are_classified_by_their_sqlstate(sqlstate, transient):
    error = await error_of(POSTGRES_URL, "DO $$ BEGIN RAISE EXCEPTION 'raised' USING "
                                         f"ERRCODE = '{sqlstate}'; END $$")
    assert error.orig.sqlstate == sqlstate
    assert is_transient(error) is transient
