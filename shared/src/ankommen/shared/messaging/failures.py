"""Is a failed handler the database being away, or the message (or the code) being wrong?

A consumer treats the two very differently. A *transient* failure is not the message's fault:
the message is handed back (``nack``) and redelivered after a pause, for as long as it takes,
and never dead-lettered — dead-lettering during a database outage would lose every message of
the outage. Any other failure is *permanent*: the handler is tried a bounded number of times,
then the message is dead-lettered with the reason, so that one bug cannot stop a partition for
ever.

The rule: a failure is transient only when the database driver says so, by its own exception
types — never because of the Python type alone. A handler bug that raises ``OSError`` or
``ConnectionError`` (a file it cannot open, an HTTP call of its own) looks like "connection
refused" to a rule by built-in types, and would be retried for ever. So:

- SQLAlchemy wraps the driver's error (``DBAPIError.orig``) and says whether the connection
  was lost (``connection_invalidated``); a lost connection is transient, otherwise the driver
  error decides:

  - **asyncpg** (PostgreSQL): the connection classes (``PostgresConnectionError`` and its
    subclasses, SQLSTATE class 08), the server refusing or shutting down
    (``CannotConnectNowError``, ``TooManyConnectionsError``, ``AdminShutdownError``,
    ``CrashShutdownError``), a closed connection (asyncpg's ``InterfaceError`` — but not its
    subclasses that are also ``ValueError``: ``DataError`` and ``ClientConfigurationError``
    are a query given bad input, a bug), and what PostgreSQL asks the client to retry
    (serialization failure, deadlock);
  - **aiosqlite / sqlite3**: an ``OperationalError`` whose SQLite result code says the
    database is busy or locked (``SQLITE_BUSY``, ``SQLITE_LOCKED``) or cannot be opened
    (``SQLITE_CANTOPEN``). Other operational errors (``no such table``, a syntax error) are
    bugs;
  - an ``OSError`` **wrapped by SQLAlchemy**: the driver lost its socket. The engine
    (:func:`ankommen.shared.db.engine.create_engine`) wraps a refused or timed-out new
    connection the same way, since SQLAlchemy passes asyncpg's ``ConnectionRefusedError``
    through bare.

- SQLAlchemy's pool timeout (``sqlalchemy.exc.TimeoutError``: no connection free in time) is
  transient: the database is overloaded, not the message wrong.
- Everything else is permanent — in particular a bare ``OSError``/``ConnectionError``/
  ``TimeoutError`` raised by handler code, which no database driver produced.
"""

from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy import exc as sa_exc

#: asyncpg errors after which the same transaction can succeed later.
_ASYNCPG_TRANSIENT: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError,  # SQLSTATE class 08, the connection
    asyncpg.exceptions.CannotConnectNowError,  # the server is starting or shutting down
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.SerializationError,  # "could not serialize access": retry
    asyncpg.exceptions.DeadlockDetectedError,  # one of the two is chosen to retry
)
#: asyncpg's interface errors that are a query given bad input or a bad configuration.
_ASYNCPG_PERMANENT_INTERFACE = (ValueError, asyncpg.exceptions.UnsupportedClientFeatureError,
                                asyncpg.exceptions.UnsupportedServerFeatureError)
#: SQLite primary result codes of a database that is busy, locked or cannot be opened.
_SQLITE_TRANSIENT_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
                                     sqlite3.SQLITE_CANTOPEN})


def is_transient(error: BaseException) -> bool:
    """Is ``error`` the database being unreachable or busy, rather than the message or the
    handler being wrong? (See the module docstring for the rule.)"""
    if isinstance(error, sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or _driver_error_is_transient(error.orig)
    return False


def _driver_error_is_transient(orig: BaseException | None) -> bool:
    # The asyncpg dialect wraps asyncpg's exception in an emulated DB-API error whose own
    # ``orig`` is the exception asyncpg raised.
    driver = getattr(orig, "orig", None) if isinstance(orig, sa_exc.EmulatedDBAPIException) \
        else orig
    if driver is None:
        return False
    if isinstance(driver, OSError):
        return True  # the socket of a database connection (SQLAlchemy wrapped it)
    if isinstance(driver, asyncpg.exceptions.InterfaceError):
        return not isinstance(driver, _ASYNCPG_PERMANENT_INTERFACE)
    if isinstance(driver, _ASYNCPG_TRANSIENT):
        return True
    if isinstance(driver, sqlite3.OperationalError):
        return _sqlite_code(driver) in _SQLITE_TRANSIENT_CODES
    return False


def _sqlite_code(error: sqlite3.Error) -> int | None:
    """The primary SQLite result code (the low byte of the extended one), or, for an error
    raised without one (aiosqlite re-raises some by message), the code its message names."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    message = str(error).lower()
    if "database is locked" in message or "database table is locked" in message:
        return sqlite3.SQLITE_BUSY
    if "unable to open database file" in message:
        return sqlite3.SQLITE_CANTOPEN
    return None
