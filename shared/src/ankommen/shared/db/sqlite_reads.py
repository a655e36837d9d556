"""Reads on SQLite in one hand-off each (issue 21 item 1).

Through aiosqlite a query costs four or five hand-offs to the driver's thread (cursor,
execute, fetch, close, the rollback when the connection goes back to the pool), each
waiting for the event loop to come round. A unit that reads before it writes anything —
a registration's duplicate check — can instead run each query and fetch its rows on a
plain ``sqlite3`` connection in a small pool of threads: one hand-off per query. Such reads
do not see the unit's own uncommitted writes (they run on another connection), so they are
only for reads *before* a unit's first write (``uow.reads``); on PostgreSQL ``uow.reads``
is the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from ankommen.shared.db.engine import synchronous_sqlite_engine

#: Threads (and connections) for such reads: a query takes well under a millisecond, so a few
#: serve many concurrent requests.
READ_THREADS = 4


class FetchedRows:
    """The rows of one query, fetched already (the part of ``Result`` that readers use)."""

    def __init__(self, rows: Sequence[Row[Any]]) -> None:
        self._rows = rows

    def all(self) -> Sequence[Row[Any]]:
        return self._rows


class OneHopReads:
    """``execute`` like a session's, for queries whose rows are read with ``.all()``."""

    def __init__(self, engine: AsyncEngine, threads: int = READ_THREADS) -> None:
        self._engine = synchronous_sqlite_engine(engine, pool_size=threads, max_overflow=0)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sqlite-read")

    async def execute(self, statement: Executable,
                      parameters: dict[str, Any] | None = None) -> FetchedRows:
        def fetch() -> Sequence[Row[Any]]:
            with self._engine.connect() as connection:
                return connection.execute(statement, parameters).all()

        return FetchedRows(await asyncio.get_running_loop().run_in_executor(self._executor,
                                                                             fetch))

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._engine.dispose)
        self._executor.shutdown(wait=False)
