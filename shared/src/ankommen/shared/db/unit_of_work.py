"""The unit of work: one database transaction around one command or one consumed event.

It is the only place that commits, and it commits only when told (``await uow.commit()``): a
use case says where its work is complete, and a block left without that — an early return, an
exception — writes nothing. Each service subclasses it to own its repositories
(``uow.cases``, ``uow.placements``: built on the unit's session, so the use cases never build
one themselves and a test can hand them an in-memory fake instead).

Events raised inside it are written to the outbox in the same transaction (so "saved" and
"will be sent" cannot diverge); after the commit the outbox relay is woken so the events leave
within milliseconds rather than at the next poll.

Outbox rows are collected while the unit runs and written with one multi-row insert just
before the commit: a batch of a thousand reports costs one statement, not a thousand, and the
rows keep the order in which they were published (the relay's per-key order).

Publishing is on the hot path of bulk uploads (one event per accepted report), so the
serialised trace headers are computed once per trace context rather than once per event.

A service publishes only the event types it owns (:mod:`ankommen.shared.events.provenance`):
every consumer would dead-letter anything else, so the mistake is refused here, where it is
made, rather than discovered on a dead-letter topic in production.

Group commit (:mod:`.group_commit`, issue 21 item 1): a unit whose writes are plain inserts
may hand them to the service's writer (``uow.writes``) instead of running them on its session;
its outbox rows then go with them, and the unit's commit is its place in the writer's next
group — the relay is woken only after the COMMIT that holds them. A unit that must read and
then write on its session in one go (a read for update) takes the writer's turn first
(``await uow.take_write_turn()``), so that on SQLite no group is written meanwhile.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from types import TracebackType
from typing import Generic, Self

from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import Executable, delete, insert, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typing_extensions import TypeVar

from ankommen.shared.clock import Clock, SystemClock
from ankommen.shared.db.group_commit import GroupedWrites, GroupWriter
from ankommen.shared.db.sqlite_reads import OneHopReads
from ankommen.shared.events.envelope import Envelope, EventData
from ankommen.shared.events.provenance import provenance_of
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.tables import MessagingTables

#: The stored headers of an event that does not carry the trace context.
NO_HEADERS = json.dumps({})


class UnitOfWork:
    """``async with factory() as uow: ...; await uow.commit()`` — what is not committed is
    rolled back when the block ends."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 source: str, after_commit: Callable[[], None],
                 clock: Clock | None = None, outbox_notice: Executable | None = None,
                 writer: GroupWriter | None = None, reads: OneHopReads | None = None) -> None:
        self._sessions = sessions
        #: Run in the transaction after its outbox rows are written: a separate relay
        #: process's wake-up (PostgreSQL ``pg_notify``, delivered at commit; see
        #: :mod:`ankommen.shared.messaging.relay_wakeup`).
        self._outbox_notice = outbox_notice
        self._writer = writer
        self._reads = reads
        self._grouped: GroupedWrites | None = None
        self._turn: contextlib.AbstractAsyncContextManager[None] | None = None
        #: The service's clock: handlers date what they record by it (outbox rows, audit
        #: entries), so a test that moves the clock moves those timestamps too.
        self.clock: Clock = clock or SystemClock()
        self.tables = tables
        self._source = source
        self._after_commit = after_commit
        self._published = 0
        self._outbox_rows: list[dict[str, object]] = []
        self._headers_for: tuple[otel_context.Context | None, str] = (None, NO_HEADERS)
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._published = 0
        self._outbox_rows = []
        self._headers_for = (None, NO_HEADERS)
        self._grouped = None
        self._turn = None
        return self

    @property
    def writes(self) -> AsyncSession:
        """Where this unit's inserts go: collected for the service's group writer (written
        with the unit's commit, in the writer's transaction), or the session where there is
        no writer. Only for statements whose result the unit does not read; a unit writes
        either here or on its session, not both."""
        if self._writer is None:
            return self.session
        if self._grouped is None:
            self._grouped = GroupedWrites()
        # Shaped like the session's ``execute`` for insert-only repositories.
        return self._grouped  # type: ignore[return-value]

    @property
    def reads(self) -> AsyncSession:
        """Where this unit's reads *before its first write* may go: on SQLite one hand-off
        per query (:mod:`.sqlite_reads`; they do not see the unit's own writes), otherwise the
        session. Only for queries whose rows are read with ``.all()``."""
        if self._reads is None:
            return self.session
        return self._reads  # type: ignore[return-value]

    async def take_write_turn(self) -> None:
        """Before a read that the following writes on the session depend on (SQLite has no
        row locks): no group of the writer is written until this unit has ended."""
        if self._writer is not None and self._turn is None:
            turn = self._writer.turn()
            await turn.__aenter__()
            self._turn = turn

    async def commit(self) -> None:
        """Make the unit's work durable: its writes and outbox rows in one transaction (or in
        the group writer's next group), then wake the relay if it published anything. Work
        done after a commit belongs to a new transaction, which needs its own commit."""
        if self._grouped is not None and self._writer is not None:
            grouped, self._grouped = self._grouped, None
            await self._commit_grouped(self._writer, grouped)
        else:
            await self.flush_outbox()
            await self.session.commit()
        if self._published:
            self._published = 0
            self._after_commit()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        try:
            # Whatever was not committed (all of it, for a block left without commit) is
            # undone; after a commit there is nothing left to undo.
            await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                if self._turn is not None:
                    turn, self._turn = self._turn, None
                    await turn.__aexit__(None, None, None)

    async def _commit_grouped(self, writer: GroupWriter, grouped: GroupedWrites) -> None:
        """The session only read: its connection goes back to the pool before the wait for
        the group, and the outbox rows join the unit's writes."""
        await self.session.close()
        if self._outbox_rows:
            rows, self._outbox_rows = self._outbox_rows, []
            await grouped.execute(insert(self.tables.outbox), rows)
            if self._outbox_notice is not None:
                grouped.once_per_group(self._outbox_notice)
        await writer.commit(grouped.writes)

    async def publish(self, data: EventData, *, key: str, subject: str | None = None) -> Envelope:
        """Record ``data`` in the outbox; it is sent after (and only if) this unit commits.

        ``key`` becomes the Kafka message key (the case pseudonym for case events), which keeps
        all events of one aggregate on one partition, in order.
        """
        provenance = provenance_of(type(data))
        if provenance is None or provenance.source != self._source:
            owner = "nobody" if provenance is None else (provenance.source or "providers")
            raise ValueError(f"{data.event_type} is published by {owner}, not by "
                             f"{self._source}: every consumer would dead-letter it")
        now = self.clock.now()
        # A fact's envelope says its month, not this moment (Fact.stamped_time): one shared
        # place, so that no producing service can forget it.
        envelope = registry.envelope(data, source=self._source, subject=subject,
                                     time=data.stamped_time(now))
        self._outbox_rows.append({
            "event_id": envelope.id,
            "aggregate_type": data.aggregate_type,
            "aggregate_id": key,
            "type": envelope.type,
            "topic": data.destination(),
            "payload": envelope.to_json(),
            "headers": self._trace_headers() if data.carries_trace_context else NO_HEADERS,
            "created_at": now,
            "attempts": 0,
        })
        self._published += 1
        return envelope

    def _trace_headers(self) -> str:
        """The current trace context as stored headers (JSON), so that the relay's publish
        (later, in another task) continues the trace of the request that caused the event.

        Contexts are immutable: while the current one is the same object (all events of a
        request, or of one consumed message), the injected headers are too, and are reused.
        """
        current = otel_context.get_current()
        cached_for, headers = self._headers_for
        if current is not cached_for:
            carrier: dict[str, str] = {}
            propagate.inject(carrier, context=current)
            headers = json.dumps(carrier)
            self._headers_for = (current, headers)
        return headers

    async def flush_outbox(self) -> None:
        """Write the events published so far (called before the commit; callers that must
        see their own outbox rows inside the transaction may call it earlier)."""
        if self._outbox_rows:
            rows, self._outbox_rows = self._outbox_rows, []
            await self.session.execute(insert(self.tables.outbox), rows)
            if self._outbox_notice is not None:
                await self.session.execute(self._outbox_notice)

    async def forget_published_events(self, key: str) -> None:
        """Delete the already published and the parked outbox rows of ``key`` (an erased
        person's pseudonym).

        Published rows stay in the outbox for a while (see the relay's retention); for an erased
        person they would keep the pseudonym. Parked rows (that could never be sent) would keep
        it too, and an operator releasing one later would announce a case that no longer
        exists. Pending rows still go out, in order.
        """
        outbox = self.tables.outbox
        await self.flush_outbox()
        await self.session.execute(delete(outbox).where(
            outbox.c.aggregate_id == key,
            or_(outbox.c.published_at.is_not(None), outbox.c.parked_at.is_not(None))))


#: A service's own unit of work (with its repositories); plain :class:`UnitOfWork` for shared
#: code that needs none (``typing_extensions`` for PEP 696's defaults on Python 3.11).
UnitT = TypeVar("UnitT", bound=UnitOfWork, default=UnitOfWork)


class UnitOfWorkFactory(Generic[UnitT]):
    """Builds units of work of one service (of its ``unit_type``); handed to use cases and
    consumers."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: MessagingTables,
                 source: str, clock: Clock | None = None,
                 writer: GroupWriter | None = None, reads: OneHopReads | None = None,
                 *, unit_type: type[UnitT] = UnitOfWork) -> None:
        self.unit_type: type[UnitT] = unit_type
        self.sessions = sessions
        #: The service's group writer (:mod:`.group_commit`), if it has one.
        self.writer = writer
        #: SQLite's one-hop reads (:mod:`.sqlite_reads`), if the database is SQLite.
        self.reads = reads
        self.tables = tables
        self.source = source
        self.clock: Clock = clock or SystemClock()
        self._after_commit: Callable[[], None] = lambda: None
        #: See :class:`UnitOfWork` (``outbox_notice``); set where a separate relay listens.
        self.outbox_notice: Executable | None = None

    def on_commit_with_events(self, callback: Callable[[], None]) -> None:
        """Called after every commit that wrote outbox rows (the relay's wake-up)."""
        self._after_commit = callback

    def __call__(self) -> UnitT:
        return self.unit_type(self.sessions, self.tables, self.source, lambda: self._after_commit(),
                          self.clock, self.outbox_notice, self.writer, self.reads)
