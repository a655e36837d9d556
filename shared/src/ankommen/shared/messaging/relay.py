"""The outbox relay: publishes committed outbox rows to Kafka, in order, and never drops one.

Rows are read in id order (the order they were committed in), published, and stamped
``published_at`` only after the broker acknowledged them. While the broker is unreachable the
relay backs off exponentially and tries again; a row is never skipped or deleted because it
failed. A crash after publishing but before stamping re-publishes the row on restart: that is
the "at least once" half, and the consumers' inbox turns it into "exactly one effect".

Order per key holds under partial failure: within a round, once a row of a key (its Kafka key
on its topic) fails to be queued or acknowledged, no later row of that key is written to Kafka
or stamped in that round — it either travelled in the same batch, which the broker refuses
whole, or it is not sent (see :meth:`OutboxRelay._publish`) — so the consumer sees the rows of
one key in commit order.

A row that keeps failing for a reason that will not heal — the broker refuses it for what it
is (too large, say), also when it is sent alone — is *parked* after a few attempts instead of
blocking its key for ever: ``parked_at`` and ``park_reason`` are set, an error is logged
(without key or payload), ``/readyz`` counts it and ``ankommen-<service> outbox parked`` lists
it. The later rows of its key then go on: the order of that key is broken, visibly, by one
parked row. That is better than holding back every later event of the case until someone
notices — and the whole relay with it, since a round that fails backs off, and the held rows
of one key would in the end fill every batch. Consumers park an event whose case they do not
know yet (:mod:`ankommen.shared.messaging.parking`), so a case whose registration was parked
loses nothing downstream. An operator can release a parked row once its cause is fixed.

Several instances of a service may share its database; only one relay at a time may publish,
or rows would be sent twice and per-key order could break. On PostgreSQL a transaction-scoped
advisory lock ensures that; on SQLite (processes on one machine sharing the file) an exclusive
lock on a file beside the database does the same.

On SQLite the stamp needs the database's one write lock, which the service's own units of work
take too — assignment's allocation holds it for its whole batch. SQLite's busy handler waits in
growing sleeps (up to 100 ms each) and a writer that commits and begins again at once takes the
lock in between, so a stamp that waits for it can wait seconds, and every row committed
meanwhile waits with it (B4's latency tail, issue 21). So the SQLite relay tries the stamp
without waiting; when the lock is taken it keeps the sent rows' ids, sends the next rows
without them, and tries again in the next round (every ``STAMP_RETRY_SECONDS`` while any
wait). It keeps the file lock until they are stamped, so no other relay sends them again; a
relay stopped on purpose waits for the write lock and stamps them before it ends. A killed
one leaves them unstamped, to be sent again — as a kill between sending and stamping always
did.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any, NamedTuple

from aiokafka.errors import (
    BrokerResponseError,
    InvalidTimestampError,
    KafkaError,
    MessageSizeTooLargeError,
    ProducerFenced,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from ankommen.shared.db.engine import SQLITE_BUSY_TIMEOUT_MS
from ankommen.shared.db.results import affected_rows
from ankommen.shared.events.envelope import CONTENT_TYPE
from ankommen.shared.messaging.tables import MessagingTables

logger = logging.getLogger(__name__)

#: While sent rows wait for their stamp (SQLite, the write lock taken), the relay looks again
#: this often instead of after its idle interval.
STAMP_RETRY_SECONDS = 0.05
#: Sent rows that may wait for their stamp; beyond this the relay waits for the write lock
#: (and so sends nothing more until it has it), so the unstamped set stays bounded.
MAX_UNSTAMPED = 5000

#: The broker's acknowledgement of a queued message: done when the broker answered. Its result
#: (aiokafka's record metadata for a message, nothing useful for a batch) is never read.
Acknowledgement = asyncio.Future[Any]
#: Queues one message (topic, key, value, headers) and returns a future that resolves when the
#: broker acknowledged it. The headers carry the row's stored W3C trace context, which the
#: sender continues (:class:`ankommen.shared.messaging.producer.RelayProducer` in services).
Send = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Acknowledgement]]
#: Queues a wave of messages (topic, key, value, headers) as one batch per partition that the
#: broker writes or refuses whole; per message the future of its batch, the error that kept the
#: batch from being queued, or ``None`` when it did not fit — and then neither did any later
#: message of its partition (:meth:`ankommen.shared.messaging.producer.RelayProducer.send_wave`).
SendWave = Callable[[list[tuple[str, bytes, bytes, dict[str, str]]]],
                    Awaitable[list[Acknowledgement | Exception | None]]]


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
                 purge_interval: float = 600.0, park_after: int = 3,
                 send_wave: SendWave | None = None,
                 recover: Callable[[], Awaitable[None]] | None = None) -> None:
        """``send`` sends one row; ``send_wave``, where the producer offers it, a wave of rows
        in batches that the broker writes or refuses whole, so that a wave may hold several
        rows of a key (see :meth:`_publish`). ``park_after``: how many failures make a row that
        can never be sent parked (a few rounds first, so that a fix made at once — a topic's
        size limit raised — lets it through in order). ``recover`` starts the producer afresh
        after the broker refused a row for good (see :meth:`_recovered`); ``None`` where the
        sender keeps no such state."""
        self._sessions = sessions
        self._outbox = tables.outbox
        self._send = send
        self._send_wave_of = send_wave
        self._before_send = before_send
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._publish_timeout = publish_timeout
        self._backoff = backoff or Backoff()
        self._recover = recover
        self._park_after = park_after
        self._wakeup = asyncio.Event()
        self._lock_id = zlib.crc32(f"ankommen-outbox-{service}".encode())
        self._retention = retention
        self._purge_interval = purge_interval
        self._last_purge = 0.0
        #: SQLite: ids of rows sent and acknowledged, not yet stamped (see the module's
        #: docstring), and the file lock kept while there are any.
        self._unstamped: list[int] = []
        self._file_lock: _SqliteRelayLock | None = None
        self.last_error: str | None = None

    def wake(self) -> None:
        """Ask the relay to look for new rows now (called after a commit with events)."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relay until cancelled, or until ``stop`` is set: then the round under way is
        finished first — rows it sent are stamped — so that a relay stopped on purpose leaves
        nothing for the next relay to send a second time (a cancelled or killed one may)."""
        try:
            await self._relay_until(stop)
        finally:
            if self._file_lock is not None and not self._unstamped:
                self._file_lock.release()
        if self._unstamped:  # stopped on purpose: what it sent is stamped before it ends
            await self._stamp_unstamped()

    async def _relay_until(self, stop: asyncio.Event | None) -> None:
        while stop is None or not stop.is_set():
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the relay must outlive any single failure
                self.last_error = describe(error)
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
                await self._wait_for_work(stop)

    async def _wait_for_work(self, stop: asyncio.Event | None = None) -> None:
        waits = [asyncio.ensure_future(self._wakeup.wait())]
        if stop is not None:
            waits.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waits, timeout=STAMP_RETRY_SECONDS if self._unstamped
                               else self._idle_interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self._wakeup.clear()

    async def purge_published(self) -> int:
        """Delete rows published longer ago than the retention: the outbox is a queue, not an
        archive, and old rows would keep pseudonyms and survey answers for no purpose."""
        self._last_purge = time.monotonic()
        cutoff = datetime.now(UTC) - self._retention
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(self._outbox).where(
                self._outbox.c.published_at.is_not(None), self._outbox.c.published_at < cutoff))
        return affected_rows(result)

    async def relay_once(self) -> int:
        """Publish one batch of pending rows; returns how many left the queue (published, or
        parked because they can never be sent)."""
        async with self._sessions() as session:
            bind = session.get_bind()
            if bind.dialect.name == "postgresql":
                # One transaction from claim to stamp, under the advisory lock.
                async with session.begin():
                    if not await self._try_lock(session):
                        return 0
                    rows = await self._pending(session)
                    outcome = await self._publish(rows)
                    await self._stamp(session, outcome)
            else:
                if self._file_lock is None:
                    self._file_lock = _SqliteRelayLock(bind.engine.url.database)
                if not self._file_lock.acquire():
                    return 0
                try:
                    # Short transactions, so writers are not blocked while we publish.
                    async with session.begin():
                        rows = await self._pending(session)
                    outcome = await self._publish(rows)
                    await self._stamp_on_sqlite(session, outcome)
                finally:
                    if not self._unstamped:
                        self._file_lock.release()
        for row, reason in outcome.parked:
            # No key and no payload: the key is a pseudonym, and logs carry no personal data.
            logger.error("outbox row parked: it can never be sent; later events of its key go "
                         "on without it", extra={"outbox_id": row.id, "event_type": row.type,
                                                 "topic": row.topic, "reason": reason})
        if outcome.failure is not None:
            raise outcome.failure
        return len(outcome.published) + len(outcome.parked)

    async def _try_lock(self, session: AsyncSession) -> bool:
        result = await session.execute(select(_advisory_xact_lock(self._lock_id)))
        return bool(result.scalar())

    async def _pending(self, session: AsyncSession) -> list[_Pending]:
        outbox = self._outbox
        query = (select(outbox.c.id, outbox.c.aggregate_id, outbox.c.topic, outbox.c.type,
                        outbox.c.payload, outbox.c.headers, outbox.c.attempts)
                 .where(outbox.c.published_at.is_(None), outbox.c.parked_at.is_(None))
                 .order_by(outbox.c.id).limit(self._batch_size))
        if self._unstamped:  # sent already, their stamp still to come
            query = query.where(outbox.c.id.not_in(self._unstamped))
        return [_Pending._make(row) for row in await session.execute(query)]

    async def _publish(self, rows: list[_Pending]) -> _Round:
        """Send the rows of a round in waves, within ``publish_timeout`` in all, so that a
        later row of a key never reaches the broker before an earlier one that failed: a key
        whose row failed sends nothing more this round.

        With ``send_wave`` a wave is every waiting row, in one batch per partition that the
        broker writes or refuses whole: the rows of a key in a batch share its fate, and rows
        that did not fit wait for the next wave. With ``send`` alone a wave holds one row per
        key — the first waiting one — and the next wave goes out once the broker has answered
        for the whole wave.

        Why not simply pipeline the rows: aiokafka sends one request per partition at a time,
        but when the broker refuses a batch it fails only that batch's messages, and the
        partition's next batch goes out and may succeed — a later event of the key ahead of
        the earlier one."""
        outcome = _Round()
        if not rows:
            return outcome
        if self._before_send is not None:
            try:
                await self._before_send()
            except Exception as error:  # e.g. the topics cannot be checked: nothing is sent
                for row in rows:
                    outcome.fail(row, error)
                return outcome
        deadline = asyncio.get_running_loop().time() + self._publish_timeout
        blocked: set[tuple[str, str]] = set()
        waves = _Waves(rows, whole=self._send_wave_of is not None)
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            wave = waves.next(blocked)
            if not wave:
                break
            sent = await self._send_wave(wave, deadline)
            waves.put_back(sent.left)
            # Failing to queue happens before any answer: the round reports it first.
            outcome.failure = outcome.failure or sent.stopped
            suspects: list[_Pending] = []
            left = {row.id for row in sent.left}
            for row in wave:
                if row.id in left:
                    continue
                error = sent.errors.get(row.id)
                if error is None:
                    outcome.published.append(row.id)
                elif can_never_be_sent(error):
                    suspects.append(row)
                else:
                    outcome.fail(row, error)
                    blocked.add(_key(row))
            if sent.stopped is not None:
                for row in suspects:  # not tried alone: the producer cannot queue now
                    outcome.fail(row, sent.errors[row.id])
                break
            if not await self._isolate(suspects, outcome, blocked, deadline,
                                       refused=sent.refused):
                break
        return outcome

    async def _send_wave(self, wave: list[_Pending], deadline: float) -> _Sent:
        """Queue the rows of one wave and wait for the broker's answers."""
        sent = _Sent()
        send_wave = self._send_wave_of
        queued = await (self._queue_whole(send_wave, wave, sent) if send_wave is not None
                        else self._queue_one_by_one(wave, sent))
        if queued:
            # Shielded by asyncio.wait: a timeout leaves the sends running, it only stops waiting.
            await asyncio.wait({future for _, future in queued},
                               timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
        for row, future in queued:
            error = self._answer(future)
            if error is not None:
                sent.errors[row.id] = error
                sent.refused = sent.refused or _refused_by_broker(error)
        return sent

    async def _queue_one_by_one(self, wave: list[_Pending], sent: _Sent
                                ) -> list[tuple[_Pending, Acknowledgement]]:
        queued: list[tuple[_Pending, Acknowledgement]] = []
        for row in wave:
            if sent.stopped is not None:
                sent.errors[row.id] = sent.stopped  # not even queued: the round stops
                continue
            try:
                queued.append((row, await self._send_row(row)))
            except Exception as error:
                sent.errors[row.id] = error
                if not can_never_be_sent(error):
                    sent.stopped = error  # the producer cannot queue: stop sending
        return queued

    async def _queue_whole(self, send_wave: SendWave, wave: list[_Pending], sent: _Sent
                           ) -> list[tuple[_Pending, Acknowledgement]]:
        messages: list[tuple[str, bytes, bytes, dict[str, str]]] = []
        rows: list[_Pending] = []
        failed_keys: set[tuple[str, str]] = set()
        for row in wave:
            if _key(row) in failed_keys:
                sent.left.append(row)  # behind a row of its key that cannot become a message
                continue
            try:
                messages.append(_message(row))
            except Exception as error:  # e.g. corrupt stored headers: this row's fault
                sent.errors[row.id] = error
                failed_keys.add(_key(row))
                continue
            rows.append(row)
        try:
            answers = await send_wave(messages) if messages else []
        except Exception as error:  # the producer cannot queue: the round stops
            sent.stopped = error
            for row in rows:
                sent.errors[row.id] = error
            return []
        queued: list[tuple[_Pending, Acknowledgement]] = []
        for row, answer in zip(rows, answers, strict=True):
            if answer is None:
                sent.left.append(row)
            elif isinstance(answer, Exception):
                sent.errors[row.id] = answer
            else:
                queued.append((row, answer))
        return queued

    def _answer(self, future: Acknowledgement) -> Exception | None:
        """The broker's answer for one queued row: ``None`` when it acknowledged the row."""
        if not future.done():
            return TimeoutError(f"no acknowledgement within {self._publish_timeout:g} s")
        if future.cancelled():
            # Not a CancelledError: that would end the relay instead of failing the round.
            return RuntimeError("send cancelled by the producer")
        error = future.exception()
        return None if error is None else _as_exception(error)

    async def _isolate(self, suspects: list[_Pending], outcome: _Round,
                       blocked: set[tuple[str, str]], deadline: float, *, refused: bool
                       ) -> bool:
        """Rows refused for what they are (too large …) are sent once more, each alone: one
        that goes through was only refused together with another (the broker refuses a whole
        batch when one message in it is too large); one refused alone has failed once more,
        and is parked when that makes ``park_after`` failures. Returns whether the round may
        go on."""
        if refused and not await self._recovered(suspects, outcome, blocked):
            return False
        loop = asyncio.get_running_loop()
        for index, row in enumerate(suspects):
            if _key(row) in blocked:
                continue  # an earlier row of its key failed alone: this one waits
            if loop.time() >= deadline:  # the rest stay pending, unsent, for the next round
                outcome.failure = outcome.failure or TimeoutError(
                    "publish timeout while sending refused rows one by one")
                return False
            error, refused = await self._send_alone(row, deadline)
            if error is None:
                outcome.published.append(row.id)
            elif can_never_be_sent(error) and row.attempts + 1 >= self._park_after:
                outcome.parked.append((row, describe(error)))
            else:
                outcome.fail(row, error)
                blocked.add(_key(row))
            if refused and not await self._recovered(suspects[index + 1:], outcome, blocked):
                return False
        return True

    async def _send_alone(self, row: _Pending, deadline: float) -> tuple[Exception | None, bool]:
        """Send one row with nothing else of the relay in flight: its error (``None`` when
        acknowledged) and whether the broker refused it for good."""
        try:
            future = await self._send_row(row)
        except Exception as error:
            return error, False
        await asyncio.wait([future], timeout=max(
            0.0, deadline - asyncio.get_running_loop().time()))
        error = self._answer(future)
        return error, error is not None and _refused_by_broker(error)

    async def _recovered(self, waiting: list[_Pending], outcome: _Round,
                         blocked: set[tuple[str, str]]) -> bool:
        """After the broker refused a row for good, start the producer afresh (``recover``):
        the idempotent producer has already counted the refused batch in its sequence for that
        partition, the broker has not, and aiokafka does not repair the gap — every later
        batch of the partition would fail as out of order. Returns whether sending may go on;
        if the restart fails, ``waiting`` rows fail with its error."""
        if self._recover is None:
            return True
        try:
            await asyncio.wait_for(self._recover(), self._publish_timeout)
        except Exception as error:  # the round fails; the next one starts a producer again
            for row in waiting:
                outcome.fail(row, error)
                blocked.add(_key(row))
            return False
        return True

    async def _send_row(self, row: _Pending) -> Acknowledgement:
        return await self._send(*_message(row))

    async def _stamp_on_sqlite(self, session: AsyncSession, outcome: _Round) -> None:
        """Stamp this round's rows and those still waiting, without waiting for the write lock
        when the round went well (see the module docstring); a round with failed or parked
        rows, or too many waiting, waits for it as before. Until stamped, the sent rows'
        ids are kept — also when stamping fails — so that this relay never sends them again."""
        stamp = _Round(published=[*self._unstamped, *outcome.published], parked=outcome.parked,
                       failed=outcome.failed)
        if not stamp.published and not stamp.parked and not stamp.failed:
            return
        self._unstamped = stamp.published
        if stamp.parked or stamp.failed or len(stamp.published) > MAX_UNSTAMPED:
            async with session.begin():
                await self._stamp(session, stamp)
        elif not await self._stamp_if_unlocked(session, stamp):
            return
        self._unstamped = []

    async def _stamp_if_unlocked(self, session: AsyncSession, stamp: _Round) -> bool:
        """One try at the stamp with SQLite's busy timeout at zero: ``False`` when another
        connection holds the write lock. The timeout is a setting of the connection, so it is
        set back on the same connection (pinned by the session's transaction) before that
        goes back to the pool; one that could not get it back (a cancellation in between) is
        discarded, never pooled without it."""
        connection = await session.connection()
        await connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        restored = locked = False
        try:
            try:
                await self._stamp(session, stamp)
            except OperationalError as error:
                # SQLITE_BUSY, or an extended code of it (SQLITE_BUSY_SNAPSHOT …): try later.
                if not str(getattr(error.orig, "sqlite_errorname", "")).startswith("SQLITE_BUSY"):
                    raise
                locked = True
            finally:
                await connection.exec_driver_sql(
                    f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
                restored = True
        finally:
            if not restored:
                await session.invalidate()
        if locked:
            await session.rollback()
            return False
        await session.commit()
        return True

    async def _stamp_unstamped(self) -> None:
        """Stamp the rows sent and still waiting for their stamp, waiting for the write lock
        (a relay stopped on purpose), then give up the file lock."""
        if self._unstamped:
            async with self._sessions() as session, session.begin():
                await self._stamp(session, _Round(published=self._unstamped))
            self._unstamped = []
        if self._file_lock is not None:
            self._file_lock.release()

    async def _stamp(self, session: AsyncSession, outcome: _Round) -> None:
        outbox = self._outbox
        now = datetime.now(UTC)
        if outcome.published:
            await session.execute(update(outbox).where(outbox.c.id.in_(outcome.published))
                                  .values(published_at=now))
        for row, reason in outcome.parked:
            await session.execute(update(outbox).where(outbox.c.id == row.id).values(
                parked_at=now, park_reason=reason, attempts=outbox.c.attempts + 1,
                last_error=reason))
        for reason, ids in outcome.failed.items():
            await session.execute(update(outbox).where(outbox.c.id.in_(ids))
                                  .values(attempts=outbox.c.attempts + 1, last_error=reason))

    async def parked_count(self) -> int:
        """How many rows are parked (for ``/readyz``: an operator must look at them)."""
        return await count_parked(self._sessions, self._outbox)


class _Pending(NamedTuple):
    """A pending outbox row as the relay reads it (:meth:`OutboxRelay._pending`)."""

    id: int
    aggregate_id: str
    topic: str
    type: str
    payload: str
    headers: str
    attempts: int


@dataclass
class _Sent:
    """The broker's answers for one wave."""

    #: Row id → why it was not acknowledged; rows not named here were.
    errors: dict[int, Exception] = field(default_factory=dict[int, Exception])
    #: The producer could not queue a row for a reason that is not the row's: stop the round.
    stopped: Exception | None = None
    #: The broker refused a batch for good (the idempotent producer must start afresh).
    refused: bool = False
    #: Rows not sent in this wave (their partition's batch was full): the next wave's.
    left: list[_Pending] = field(default_factory=list[_Pending])


@dataclass
class _Round:
    """What became of the rows of one round."""

    published: list[int] = field(default_factory=list[int])
    #: Rows that can never be sent, with the reason.
    parked: list[tuple[_Pending, str]] = field(default_factory=list[tuple[_Pending, str]])
    #: Rows that failed this time (reason → ids); they stay pending with one attempt more.
    failed: dict[str, list[int]] = field(default_factory=dict[str, list[int]])
    #: The first failure of the round, which the round reports (parking is no failure).
    failure: Exception | None = None

    def fail(self, row: _Pending, error: Exception) -> None:
        self.failed.setdefault(describe(error), []).append(row.id)
        self.failure = self.failure or error


def _key(row: _Pending) -> tuple[str, str]:
    """A row's ordering key: its Kafka key on its topic (same key, same partition)."""
    return row.topic, row.aggregate_id


class _Waves:
    """The rows of a round, queued per key in commit order. A wave is every waiting row of
    the keys that are not blocked (``whole``), or the first waiting row of each; a row of a
    blocked key waits for the next round, unsent and unstamped."""

    def __init__(self, rows: list[_Pending], *, whole: bool) -> None:
        self._whole = whole
        self._queues: dict[tuple[str, str], deque[_Pending]] = {}
        for row in rows:
            self._queues.setdefault(_key(row), deque()).append(row)

    def next(self, blocked: set[tuple[str, str]]) -> list[_Pending]:
        wave: list[_Pending] = []
        for key in list(self._queues):
            queue = self._queues[key]
            if key in blocked:
                del self._queues[key]
                continue
            if self._whole:
                wave += queue
                queue.clear()
            else:
                wave.append(queue.popleft())
            if not queue:
                del self._queues[key]
        wave.sort(key=lambda row: row.id)
        return wave

    def put_back(self, rows: list[_Pending]) -> None:
        """Rows a wave did not send, for the next wave, ahead of their keys' other rows."""
        for row in sorted(rows, key=lambda row: row.id, reverse=True):
            self._queues.setdefault(_key(row), deque()).appendleft(row)


def _message(row: _Pending) -> tuple[str, bytes, bytes, dict[str, str]]:
    """A row as the message to send. The stored trace context (``traceparent`` …) travels
    with it; the producer continues the trace from it."""
    headers = json.loads(row.headers)
    headers["content-type"] = CONTENT_TYPE
    return row.topic, row.aggregate_id.encode(), row.payload.encode(), headers


#: The broker refuses the record itself: sent again, the same bytes are refused again.
_RECORD_REFUSED = (MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError,
                   InvalidTimestampError)


def can_never_be_sent(error: BaseException) -> bool:
    """Is this failure about the row itself, so that no retry can succeed?

    Yes for what the broker (or aiokafka, before sending) refuses about a record — too large,
    an invalid timestamp — and for a row the relay cannot even turn into a message (corrupt
    stored headers, a topic the service does not publish to). No for everything else, retriable
    or not: a connection lost, a timeout, a leader moving, but also a refused authorisation or
    an unknown topic — those concern every row of a topic and heal when an operator fixes the
    cluster, so they hold the relay back (visible in ``/readyz`` and the logs) instead of
    moving every row aside. Kafka's own INVALID_RECORD (a broker-side schema check) reaches
    aiokafka 0.14 as ``UnknownError``, indistinguishable from any other unknown error: it is
    retried, not parked."""
    if isinstance(error, KafkaError):
        return isinstance(error, _RECORD_REFUSED)
    return isinstance(error, LookupError | UnicodeError | json.JSONDecodeError)


def _refused_by_broker(error: Exception) -> bool:
    """A final answer of the broker about a batch (not a timeout or a lost connection)."""
    return (isinstance(error, BrokerResponseError) and not error.retriable
            or isinstance(error, ProducerFenced))


def describe(error: BaseException) -> str:
    """An operator's reason: the error's type and message (never a payload: aiokafka's
    messages name sizes and settings, ours name the topic)."""
    text = str(error)
    if isinstance(error, BrokerResponseError):
        text = f"{error.message}: {error.description}"
    return f"{type(error).__name__}: {text}"[:500]


@dataclass(frozen=True)
class ParkedRow:
    """A parked outbox row as an operator sees it (no key, no payload: the key is a pseudonym)."""

    id: int
    event_id: str
    type: str
    topic: str
    created_at: datetime
    parked_at: datetime
    attempts: int
    reason: str


async def count_parked(sessions: async_sessionmaker[AsyncSession], outbox: Table) -> int:
    async with sessions() as session:
        result = await session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.parked_at.is_not(None), outbox.c.published_at.is_(None)))
        return result.scalar_one()


async def parked_rows(sessions: async_sessionmaker[AsyncSession], outbox: Table
                      ) -> list[ParkedRow]:
    """Every parked row, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.topic,
                   outbox.c.created_at, outbox.c.parked_at, outbox.c.attempts,
                   outbox.c.park_reason)
            .where(outbox.c.parked_at.is_not(None), outbox.c.published_at.is_(None))
            .order_by(outbox.c.id))
        return [ParkedRow(row.id, row.event_id, row.type, row.topic, row.created_at,
                          row.parked_at, row.attempts, row.park_reason or "") for row in rows]


async def release_parked(sessions: async_sessionmaker[AsyncSession], outbox: Table,
                         ids: list[int]) -> int:
    """Put parked rows back in the queue (after an operator fixed what refused them, e.g.
    raised the topic's ``max.message.bytes``). They go out after the later rows of their key
    that went on without them: the consumers' parking puts such events in order again where
    the case is concerned (see :mod:`ankommen.shared.messaging.parking`)."""
    async with sessions() as session, session.begin():
        result = await session.execute(update(outbox).where(
            outbox.c.id.in_(ids), outbox.c.parked_at.is_not(None),
            outbox.c.published_at.is_(None)).values(parked_at=None, park_reason=None))
    return affected_rows(result)


class _SqliteRelayLock:
    """Being the one relay of a SQLite file: an exclusive lock on a file beside it, taken for
    a round and kept while rows it sent wait for their stamp (released then, or by the kernel
    when the process dies); an in-memory database has only one process anyway."""

    def __init__(self, database: str | None) -> None:
        self._path = None if not database or database == ":memory:" \
            else f"{database}.relay-lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock unless another relay has it; ``True`` when this relay holds it."""
        if self._path is None or self._handle is not None:
            return True
        handle = open(self._path, "a")  # noqa: SIM115 - held across rounds, closed in release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _as_exception(error: BaseException) -> Exception:
    return error if isinstance(error, Exception) else RuntimeError(type(error).__name__)


def _advisory_xact_lock(lock_id: int) -> FunctionElement[Any]:
    return func.pg_try_advisory_xact_lock(lock_id)
