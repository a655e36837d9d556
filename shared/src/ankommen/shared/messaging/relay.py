"""The outbox relay: publishes committed outbox rows to Kafka, in order, and never drops one.

Rows are read in id order (the order they were committed in), published, and stamped
``published_at`` only after the broker acknowledged them. While the broker is unreachable the
relay backs off exponentially and tries again; a row is never skipped or deleted because it
failed. A crash after publishing but before stamping re-publishes the row on restart: that is
the "at least once" half, and the consumers' inbox turns it into "exactly one effect".

Several instances of a service may share its database; only one relay at a time may publish,
or rows would be sent twice and per-key order could break. On PostgreSQL a transaction-scoped
advisory lock ensures that; on SQLite (processes on one machine sharing the file) an exclusive
lock on a file beside the database does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from ankommen.shared.events.envelope import CONTENT_TYPE
from ankommen.shared.messaging.tables import MessagingTables

logger = logging.getLogger(__name__)

#: Queues one message (topic, key, value, headers) and returns a future that resolves when the
#: broker acknowledged it. The headers carry the row's stored W3C trace context, which the
#: sender continues (:class:`ankommen.shared.messaging.producer.RelayProducer` in services).
Send = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[asyncio.Future]]


@dataclass
class Backoff:
    """Exponential backoff between failed rounds, reset by a successful one."""

    initial: float = 0.2
    maximum: float = 10.0
    current: float = 0.0

    def next_delay(self) -> float:
        self.current = self.initial if not self.current else min(self.current * 2, self.maximum)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


class OutboxRelay:
    """Moves outbox rows to Kafka. One per service process (or per dedicated relay process)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 send: Send, *, service: str, before_send: Callable[[], Awaitable[None]]
                 | None = None, batch_size: int = 500,
                 idle_interval: float = 1.0, publish_timeout: float = 30.0,
                 backoff: Backoff | None = None, retention: timedelta = timedelta(days=7),
                 purge_interval: float = 600.0) -> None:
        self._sessions = sessions
        self._outbox = tables.outbox
        self._send = send
        self._before_send = before_send
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._publish_timeout = publish_timeout
        self._backoff = backoff or Backoff()
        self._wakeup = asyncio.Event()
        self._lock_id = zlib.crc32(f"ankommen-outbox-{service}".encode())
        self._retention = retention
        self._purge_interval = purge_interval
        self._last_purge = 0.0
        self.last_error: str | None = None

    def wake(self) -> None:
        """Ask the relay to look for new rows now (called after a commit with events)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Relay until cancelled."""
        while True:
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the relay must outlive any single failure
                self.last_error = f"{type(error).__name__}: {error}"[:500]
                delay = self._backoff.next_delay()
                logger.warning("outbox relay failed, retrying", extra={
                    "error": self.last_error, "retry_in_s": delay})
                await asyncio.sleep(delay)
                continue
            self._backoff.reset()
            self.last_error = None
            if time.monotonic() - self._last_purge > self._purge_interval:
                await self.purge_published()
            if published < self._batch_size:
                await self._wait_for_work()

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=self._idle_interval)
        self._wakeup.clear()

    async def purge_published(self) -> int:
        """Delete rows published longer ago than the retention: the outbox is a queue, not an
        archive, and old rows would keep pseudonyms and survey answers for no purpose."""
        self._last_purge = time.monotonic()
        cutoff = datetime.now(UTC) - self._retention
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(self._outbox).where(
                self._outbox.c.published_at.is_not(None), self._outbox.c.published_at < cutoff))
        return result.rowcount or 0

    async def relay_once(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self._sessions() as session:
            if session.bind.dialect.name == "postgresql":
                # One transaction from claim to stamp, under the advisory lock.
                async with session.begin():
                    if not await self._try_lock(session):
                        return 0
                    rows = await self._pending(session)
                    published, failure = await self._publish(rows)
                    await self._stamp(session, rows, published, failure)
            else:
                with _sqlite_relay_lock(session.bind.url.database) as locked:
                    if not locked:
                        return 0
                    # Short transactions, so writers are not blocked while we publish.
                    async with session.begin():
                        rows = await self._pending(session)
                    published, failure = await self._publish(rows)
                    async with session.begin():
                        await self._stamp(session, rows, published, failure)
        if failure is not None:
            raise failure
        return len(published)

    async def _try_lock(self, session: AsyncSession) -> bool:
        result = await session.execute(select(_advisory_xact_lock(self._lock_id)))
        return bool(result.scalar())

    async def _pending(self, session: AsyncSession) -> list[Row]:
        query = (select(self._outbox.c.id, self._outbox.c.aggregate_id, self._outbox.c.topic,
                        self._outbox.c.payload, self._outbox.c.headers)
                 .where(self._outbox.c.published_at.is_(None))
                 .order_by(self._outbox.c.id).limit(self._batch_size))
        return list((await session.execute(query)).all())

    async def _publish(self, rows: list[Row]) -> tuple[list[int], Exception | None]:
        """Queue all rows (in order, pipelined), then wait for the acknowledgements together,
        for at most ``publish_timeout``; rows the broker did not acknowledge stay pending."""
        pending: list[tuple[int, asyncio.Future]] = []
        failure: Exception | None = None
        try:
            if rows and self._before_send is not None:
                await self._before_send()
            for row in rows:
                pending.append((row.id, await self._send_row(row)))
        except Exception as error:
            failure = error
        if pending:
            # Shielded by asyncio.wait: a timeout leaves the sends running, it only stops waiting.
            await asyncio.wait([future for _, future in pending], timeout=self._publish_timeout)
        published = []
        for row_id, future in pending:
            if not future.done():
                failure = failure or TimeoutError(
                    f"no acknowledgement within {self._publish_timeout:g} s")
            elif future.cancelled():
                # Not a CancelledError: that would end the relay instead of failing the round.
                failure = failure or RuntimeError("send cancelled by the producer")
            elif (error := future.exception()) is not None:
                failure = failure or _as_exception(error)
            else:
                published.append(row_id)
        return published, failure

    async def _send_row(self, row: Row) -> asyncio.Future:
        # The stored trace context (``traceparent`` …) travels with the message; the send
        # function continues the trace from it.
        headers = json.loads(row.headers)
        headers["content-type"] = CONTENT_TYPE
        return await self._send(row.topic, row.aggregate_id.encode(), row.payload.encode(),
                                headers)

    async def _stamp(self, session: AsyncSession, rows: list[Row], published: list[int],
                     failure: Exception | None) -> None:
        if published:
            await session.execute(update(self._outbox)
                                  .where(self._outbox.c.id.in_(published))
                                  .values(published_at=datetime.now(UTC)))
        done = set(published)
        failed = [row.id for row in rows if row.id not in done]
        if failed and failure is not None:
            await session.execute(update(self._outbox)
                                  .where(self._outbox.c.id.in_(failed))
                                  .values(attempts=self._outbox.c.attempts + 1,
                                          last_error=f"{type(failure).__name__}: {failure}"[:500]))


@contextlib.contextmanager
def _sqlite_relay_lock(database: str | None) -> Iterator[bool]:
    """Try to become the one relay of this SQLite file (released when the block ends, or by
    the kernel when the process dies); an in-memory database has only one process anyway."""
    if not database or database == ":memory:":
        yield True
        return
    with open(f"{database}.relay-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _as_exception(error: BaseException) -> Exception:
    return error if isinstance(error, Exception) else RuntimeError(type(error).__name__)


def _advisory_xact_lock(lock_id: int) -> FunctionElement:
    return func.pg_try_advisory_xact_lock(lock_id)
