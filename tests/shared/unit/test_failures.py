"""Transient or permanent, by the database drivers' real exception types: the database being
away hands a message back; anything else — above all a handler bug that raises ``OSError`` —
is dead-lettered after the bounded retries.

The driver errors are the real classes, wrapped the way SQLAlchemy wraps them (its asyncpg
dialect's own translation, then ``DBAPIError.instance``). The same errors raised for real — by
SQLite, by a refused connection, by PostgreSQL — are in
``tests/shared/integration/test_failure_classification.py``.
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import (
    AsyncAdapt_asyncpg_connection,
    AsyncAdapt_asyncpg_dbapi,
)

from ankommen.shared.messaging.failures import is_transient

_DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def as_sqlalchemy_raises_it(driver_error: Exception, *, invalidated: bool = False
                            ) -> sa_exc.DBAPIError:
    """``driver_error`` as SQLAlchemy's asyncpg dialect hands it to the application."""
    try:
        AsyncAdapt_asyncpg_connection._handle_exception_no_connection(_DBAPI, driver_error)
    except _DBAPI.Error as translated:
        return sa_exc.DBAPIError.instance("SELECT 1", None, translated, _DBAPI.Error,
                                          connection_invalidated=invalidated)
    raise AssertionError(f"{driver_error!r} was not translated")


@pytest.mark.parametrize(("driver_error", "transient"), [
    # The database away, busy, or asking for a retry.
    (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
    (asyncpg.exceptions.ConnectionFailureError("connection failure"), True),
    (asyncpg.exceptions.ClientCannotConnectError("cannot connect"), True),
    (asyncpg.exceptions.PostgresConnectionError("connection exception"), True),
    (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
    (asyncpg.exceptions.TooManyConnectionsError("too many clients already"), True),
    (asyncpg.exceptions.AdminShutdownError("terminating connection: administrator"), True),
    (asyncpg.exceptions.CrashShutdownError("crash of another server process"), True),
    (asyncpg.exceptions.SerializationError("could not serialize access"), True),
    (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), True),
    (asyncpg.exceptions.InterfaceError("connection is closed"), True),
    # The statement refused: retrying gives the same answer.
    (asyncpg.exceptions.UniqueViolationError("duplicate key value"), False),
    (asyncpg.exceptions.UndefinedTableError('relation "x" does not exist'), False),
    (asyncpg.exceptions.UndefinedColumnError('column "x" does not exist'), False),
    (asyncpg.exceptions.NumericValueOutOfRangeError("integer out of range"), False),
    (asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence"), False),
    (asyncpg.exceptions.QueryCanceledError("canceling statement: statement timeout"), False),
    (asyncpg.exceptions.DataError("invalid input for query argument $1"), False),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value))
def test_postgres_errors_are_transient_only_when_the_database_is_away_or_asks_for_a_retry(
        driver_error, transient):
    assert is_transient(as_sqlalchemy_raises_it(driver_error)) is transient


def test_a_connection_sqlalchemy_invalidated_is_transient():
    error = as_sqlalchemy_raises_it(asyncpg.exceptions.InternalClientError("lost"),
                                    invalidated=True)
    assert is_transient(error)


def test_the_pool_having_no_free_connection_is_transient():
    assert is_transient(sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"))


@pytest.mark.parametrize("error", [
    OSError("No such file or directory"),
    ConnectionError("the provider's system hung up"),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError("the handler's own call timed out"),
    FileNotFoundError("/etc/ankommen/missing"),
    ValueError("a bug"),
    KeyError("pseudonym"),
    RuntimeError("a bug"),
], ids=lambda error: type(error).__name__)
def test_what_handler_code_raises_itself_is_permanent(error):
    assert not is_transient(error)
