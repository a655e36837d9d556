"""The facts archive, its ledger and which facts the aggregates count: every query about which
facts were applied (what they mean: :mod:`domain.history`).

Rows are written with one ``executemany`` per batch, as the aggregates are, and read back in
pages by event id, so that neither the live consumer nor a rebuild of a long history holds a
statement or a cursor open across other work. The statements run for every batch are built
once (module level): SQLAlchemy then finds their compiled form in its cache without building
and hashing a new statement each time. The archive rows — one per fact, the only rows a
rebuild writes per fact — go to the driver's ``executemany`` as tuples, with the statement
compiled once per dialect: SQLAlchemy's own per-row parameter handling cost more than the
driver's insert itself (SQLite: ~4–7 µs against ~3 µs a row).

**The archive row is the facts consumer's inbox** (revision 0008): every fact processed is
archived in the same transaction under its event id, and ``processed`` says whether the
aggregates count it now. The consumer skips a fact whose id the archive already holds as
processed — a redelivery, or a copy the relay published again (at least once: it can land at
another offset, even on another partition, so offsets alone cannot tell). Facts processed
before the archive existed are known only by their inbox rows, which stay until a rebuild.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Row,
    Table,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.monitoring.adapters.repository import as_utc
from ankommen.monitoring.adapters.tables import fact_archive, fact_history
from ankommen.monitoring.domain.history import CHECKSUM_MODULUS, ArchivedFact, History
from ankommen.shared.db.results import affected_rows

#: Archive rows read at once by a rebuild.
PAGE_SIZE = 5000
#: Event ids asked about or marked in one statement (well below SQLite's and asyncpg's
#: limits on bound parameters).
IDS_PER_STATEMENT = 5000
_HALF_BITS = 31

_PROCESSED_OF = select(fact_archive.c.event_id, fact_archive.c.processed).where(
    fact_archive.c.event_id.in_(bindparam("ids", expanding=True)))
_MARK_PROCESSED = update(fact_archive).where(
    fact_archive.c.event_id.in_(bindparam("ids", expanding=True))).values(processed=True)
_MARK_UNPROCESSED = update(fact_archive).where(
    fact_archive.c.event_id.in_(bindparam("ids", expanding=True)),
    fact_archive.c.processed == false()).values(processed=True)


class ProcessedMeanwhile(RuntimeError):
    """Another transaction marked a fact processed after this one found it unmarked (a
    rebuild that replayed it): counting it here too would count it twice. The batch fails and
    is retried, and then skips the fact — as a second insert of an inbox row used to fail on
    its primary key."""


#: The archive's columns in the order :func:`_archive_rows` fills them.
_ARCHIVE_COLUMNS = ("event_id", "fact_type", "checksum", "body", "received_at", "processed")


@lru_cache(maxsize=4)
def _archive_insert(dialect: Dialect) -> tuple[str, Callable[[Any], Any] | None,
                                                Callable[[Any], Any] | None]:
    """The archive's ``INSERT`` compiled for ``dialect`` once, and the dialect's conversions of
    the two columns that need one (the receipt day and ``processed`` on SQLite)."""
    compiled = insert(fact_archive).compile(dialect=dialect,
                                            column_keys=list(_ARCHIVE_COLUMNS))
    if tuple(compiled.positiontup or ()) != _ARCHIVE_COLUMNS:
        raise RuntimeError(f"unexpected parameter order {compiled.positiontup}")
    received_at, processed = (fact_archive.c[name].type.dialect_impl(dialect)
                              .bind_processor(dialect) for name in _ARCHIVE_COLUMNS[4:])
    return compiled.string, received_at, processed


def _archive_rows(dialect: Dialect, facts: Sequence[ArchivedFact]
                  ) -> tuple[str, list[tuple[Any, ...]]]:
    """The compiled ``INSERT`` and one parameter tuple per fact, converted as SQLAlchemy
    would (each distinct receipt day once: a batch has one or two)."""
    statement, received_at, processed = _archive_insert(dialect)
    days: dict[datetime | None, Any] = {}
    true_value = processed(True) if processed is not None else True
    rows: list[tuple[Any, ...]] = []
    for fact in facts:
        day = fact.received_at
        if day not in days:
            days[day] = received_at(day) if received_at is not None and day is not None \
                else day
        rows.append((fact.event_id, fact.fact_type, fact.checksum, fact.body, days[day],
                     true_value))
    return statement, rows


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start:start + IDS_PER_STATEMENT]
            for start in range(0, len(ids), IDS_PER_STATEMENT)]


class FactArchive:
    def __init__(self, session: AsyncSession, topic: str) -> None:
        self._session = session
        self._topic = topic

    async def add(self, facts: Sequence[ArchivedFact], *, known_new: bool = False
                  ) -> History:
        """Archive ``facts`` and add them to the ledger; returns what was added.

        Facts already archived are left as they are: a fact can be archived but no longer
        counted (after a rebuild that accepted a loss) and arrive again. ``known_new`` skips
        that look-up for a caller that knows."""
        if not facts:
            return History()
        if not known_new:
            present = await self.processed_of([fact.event_id for fact in facts])
            facts = [fact for fact in facts if fact.event_id not in present]
            if not facts:
                return History()
        statement, rows = _archive_rows(self._session.get_bind().dialect, facts)
        await (await self._session.connection()).exec_driver_sql(statement, rows)
        added = History.of(fact.checksum for fact in facts)
        await self._record(added)
        return added

    async def _record(self, added: History) -> None:
        dialect = self._session.get_bind().dialect.name
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(
            fact_history)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["topic"], set_={
                "facts": fact_history.c.facts + statement.excluded.facts,
                "checksum": (fact_history.c.checksum + statement.excluded.checksum)
                % CHECKSUM_MODULUS}),
            {"topic": self._topic, "facts": added.facts, "checksum": added.checksum})

    async def processed_of(self, event_ids: Sequence[str]) -> dict[str, bool]:
        """Which of ``event_ids`` the archive holds, and whether each is processed (counted
        by the aggregates now)."""
        found: dict[str, bool] = {}
        for chunk in _chunks(event_ids):
            result = await self._session.execute(_PROCESSED_OF, {"ids": list(chunk)})
            found.update((row.event_id, row.processed) for row in result)
        return found

    async def mark_processed(self, event_ids: Sequence[str], *, found_unmarked: bool = False
                             ) -> None:
        """The aggregates count these archived facts (again). ``found_unmarked``: the caller
        found each of them not processed and counted it; raises :class:`ProcessedMeanwhile` if
        one was marked since (PostgreSQL re-reads a row it waited for)."""
        statement = _MARK_UNPROCESSED if found_unmarked else _MARK_PROCESSED
        for chunk in _chunks(event_ids):
            marked = affected_rows(await self._session.execute(statement, {"ids": list(chunk)}))
            if found_unmarked and marked != len(chunk):
                raise ProcessedMeanwhile(f"{len(chunk) - marked} facts were marked "
                                         "processed by another transaction")

    async def recorded(self) -> History:
        """What the ledger says the archive holds."""
        row = (await self._session.execute(select(fact_history.c.facts, fact_history.c.checksum)
                                           .where(fact_history.c.topic == self._topic))).first()
        return History(row.facts, row.checksum) if row is not None else History()

    async def realign(self) -> History:
        """Make the ledger say what the archive holds (by the rows' stored checksums), after a
        rebuild found the archive as it should be or the operator accepted it as it is.

        The ledger row is locked first: a live batch that archives meanwhile either committed
        before (and is counted here) or adds itself to the ledger after this commits."""
        await self._session.execute(select(fact_history.c.facts).where(
            fact_history.c.topic == self._topic).with_for_update())
        history = await self.held()
        await self._session.execute(delete(fact_history).where(
            fact_history.c.topic == self._topic))
        await self._session.execute(insert(fact_history).values(
            topic=self._topic, facts=history.facts, checksum=history.checksum))
        return history

    async def held(self) -> History:
        """Count and checksum sum of the archive's rows, summed by the database: in two halves
        of 31 bits, which no realistic number of rows makes overflow SQLite's 64-bit sum."""
        checksum = fact_archive.c.checksum
        row = (await self._session.execute(select(
            func.count(), func.sum(checksum.op(">>")(literal_column(str(_HALF_BITS)))),
            func.sum(checksum.op("&")(literal_column(str(2 ** _HALF_BITS - 1))))))).one()
        high, low = int(row[1] or 0), int(row[2] or 0)
        return History(row[0], ((high << _HALF_BITS) + low) % CHECKSUM_MODULUS)

    async def correct(self, facts: Sequence[ArchivedFact]) -> None:
        """Replace archived facts by ``facts`` (same event ids): the content a rebuild applied
        when the operator accepted it."""
        for fact in facts:
            await self._session.execute(update(fact_archive).where(
                fact_archive.c.event_id == fact.event_id).values(
                fact_type=fact.fact_type, checksum=fact.checksum, body=fact.body))

    async def checksums(self) -> dict[str, int]:
        """The stored checksum of every archived fact, by event id."""
        result = await self._session.execute(
            select(fact_archive.c.event_id, fact_archive.c.checksum))
        return {row.event_id: row.checksum for row in result}

    async def receipts(self) -> dict[str, datetime]:
        """When each archived fact was received, by event id (facts archived before the
        receipt was recorded are left out)."""
        result = await self._session.execute(
            select(fact_archive.c.event_id, fact_archive.c.received_at)
            .where(fact_archive.c.received_at.is_not(None)))
        return {row.event_id: as_utc(row.received_at) for row in result}

    async def body(self, event_id: str) -> tuple[str, datetime | None] | None:
        """One archived fact's body and receipt time (``None``: not archived)."""
        row = (await self._session.execute(
            select(fact_archive.c.body, fact_archive.c.received_at)
            .where(fact_archive.c.event_id == event_id))).first()
        if row is None:
            return None
        return row.body, as_utc(row.received_at) if row.received_at else None

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(fact_archive)) or 0

    async def pages(self, size: int = PAGE_SIZE
                    ) -> AsyncIterator[Sequence[Row[str, str, int, str, datetime | None]]]:
        """Every archived fact (``event_id``, ``fact_type``, ``checksum``, ``body``,
        ``received_at``), in pages by event id."""
        columns = (fact_archive.c.event_id, fact_archive.c.fact_type, fact_archive.c.checksum,
                   fact_archive.c.body, fact_archive.c.received_at)
        after: str | None = None
        while True:
            query = select(*columns).order_by(fact_archive.c.event_id).limit(size)
            if after is not None:
                query = query.where(fact_archive.c.event_id > after)
            rows = (await self._session.execute(query)).all()
            if not rows:
                return
            yield rows
            if len(rows) < size:
                return
            after = rows[-1].event_id


class ProcessedFacts:
    """The facts the aggregates count: the archived facts marked processed, and the facts
    processed before the archive existed (inbox rows of the facts consumer ``consumer``, its
    group id; revision 0008)."""

    def __init__(self, session: AsyncSession, inbox: Table) -> None:
        self._session = session
        self._inbox = inbox

    async def ids(self, consumer: str) -> set[str]:
        archived = set(await self._session.scalars(select(fact_archive.c.event_id).where(
            fact_archive.c.processed == true())))
        return archived | set(await self._session.scalars(select(self._inbox.c.event_id).where(
            self._inbox.c.consumer == consumer)))

    async def legacy(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Which of ``event_ids`` were processed before the archive existed."""
        found: set[str] = set()
        for chunk in _chunks(event_ids):
            found.update(await self._session.scalars(select(self._inbox.c.event_id).where(
                self._inbox.c.consumer == consumer,
                self._inbox.c.event_id.in_(list(chunk)))))
        return found

    async def clear(self, consumer: str) -> None:
        """No fact counts any more (a rebuild starts over): the archive keeps every fact, and
        the inbox rows of facts from before the archive go — a rebuild from the topic archives
        those it still finds."""
        await self._session.execute(delete(self._inbox).where(
            self._inbox.c.consumer == consumer))
        await self._session.execute(update(fact_archive).where(
            fact_archive.c.processed == true()).values(processed=False))
