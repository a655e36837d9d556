"""Registrations take turns at writing when the database is SQLite.

SQLite lets one transaction write at a time per file. A writer that finds the file locked
polls with growing sleeps (its busy handler: up to 100 ms between attempts), so under load
the next writer is whoever happens to poll at the right moment, not whoever waited longest:
in benchmark B3 (16 concurrent registrations) the median registration took 37 ms and the
slowest percent 2.5 s. Within one process, registrations therefore queue for the write lock
first come first served (``asyncio.Lock`` wakes its waiters in order), from their first
write to their commit; the duplicate check and the encryption before it still run
concurrently. PostgreSQL locks rows, not the database: there, there is no queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class WriteTurn:
    """One unit of work's place in the queue; taken before its first write, given back
    when the unit has committed or rolled back (the end of the ``turn()`` block)."""

    def __init__(self, lock: asyncio.Lock | None) -> None:
        self._lock = lock
        self._held = False

    async def take(self) -> None:
        if self._lock is not None and not self._held:
            await self._lock.acquire()
            self._held = True

    def give_back(self) -> None:
        if self._lock is not None and self._held:
            self._held = False
            self._lock.release()


class WriteTurns:
    def __init__(self, *, serial: bool) -> None:
        self._lock = asyncio.Lock() if serial else None

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[WriteTurn]:
        """Enter *before* the unit of work, so that the turn is given back after its commit:
        ``async with turns.turn() as turn, runtime.uow() as uow: ...``."""
        turn = WriteTurn(self._lock)
        try:
            yield turn
        finally:
            turn.give_back()
