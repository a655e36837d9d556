"""The aggregate repository: every query of monitoring, in one place.

Facts are folded in memory first (:mod:`domain.folding`); :meth:`Aggregates.write` then adds a
whole batch with one bulk upsert per table (counts and record-key sums added, the later
snapshot kept), so the result depends only on the set of facts, whatever the order and the
batching they arrive in — which is what makes a rebuild from offset 0 reproduce it exactly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.expression import ColumnElement, Executable

from ankommen.monitoring.adapters.tables import (
    AGGREGATES,
    cell_values,
    cells,
    fact_intake,
    fact_review,
    snapshots,
)
from ankommen.monitoring.domain.cells import (
    KEY_MODULUS,
    decode_counts,
    decode_dimensions,
    snapshot_key,
)
from ankommen.monitoring.domain.folding import Address, FoldedFacts
from ankommen.monitoring.domain.tables import RawCell


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _insert(dialect: str, table: Table):  # noqa: ANN202 - the dialect's INSERT … ON CONFLICT
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


@dataclass(frozen=True)
class _Upserts:
    """The four bulk upserts of :meth:`Aggregates.write`, built once per dialect: building a
    statement costs more than executing it with many parameter sets."""

    cells: Executable
    values: Executable
    snapshots: Executable
    intake: Executable


@lru_cache(maxsize=2)
def _upserts(dialect: str) -> _Upserts:
    address = ["measure", "month", "district", "dimensions"]
    cell = _insert(dialect, cells)
    value = _insert(dialect, cell_values)
    snapshot = _insert(dialect, snapshots)
    intake = _insert(dialect, fact_intake)
    # Either side may be NULL (every fact held): the newest of those that are not.
    stored_newest, incoming_newest = fact_intake.c.last_published_at, \
        intake.excluded.last_published_at
    newest = (func.max if dialect == "sqlite" else func.greatest)(
        func.coalesce(stored_newest, incoming_newest),
        func.coalesce(incoming_newest, stored_newest))
    stored, incoming = snapshots.c, snapshot.excluded
    return _Upserts(
        cells=cell.on_conflict_do_update(index_elements=address, set_={
            "n": cells.c.n + cell.excluded.n,
            "key_sum": (cells.c.key_sum + cell.excluded.key_sum) % KEY_MODULUS}),
        values=value.on_conflict_do_update(index_elements=[*address, "value"], set_={
            "count": cell_values.c.count + value.excluded.count}),
        # The stored snapshot is replaced only by a later one (sequence — none counts as 0 —,
        # publication time, then rank: folding.LatestSnapshot.order), so the outcome does not
        # depend on the order of batches.
        snapshots=snapshot.on_conflict_do_update(
            index_elements=address,
            set_={name: incoming[name]
                  for name in ("sequence", "published_at", "rank", "key", "counts")},
            where=_later(stored, incoming)),
        intake=intake.on_conflict_do_update(index_elements=["fact_type"], set_={
            **{name: fact_intake.c[name] + intake.excluded[name]
               for name in ("applied", "held", "unused")},
            "last_published_at": newest}),
    )


def _later(stored: ReadOnlyColumnCollection[str, Any],
           incoming: ReadOnlyColumnCollection[str, Any]) -> ColumnElement[bool]:
    """Whether the incoming snapshot comes after the stored one."""
    stored_sequence = func.coalesce(stored.sequence, 0)
    incoming_sequence = func.coalesce(incoming.sequence, 0)
    return or_(stored_sequence < incoming_sequence,
               and_(stored_sequence == incoming_sequence,
                    or_(stored.published_at < incoming.published_at,
                        and_(stored.published_at == incoming.published_at,
                             stored.rank < incoming.rank))))


def _named(address: Address) -> dict[str, str]:
    return dict(zip(("measure", "month", "district", "dimensions"), address, strict=True))


class Aggregates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def write(self, folded: FoldedFacts) -> None:
        """Add what a batch of facts changes to the stored aggregates: one row per touched
        cell, value, snapshot and fact type, each table with one bulk statement."""
        upserts = _upserts(self._session.get_bind().dialect.name)
        execute = self._session.execute
        if folded.cells:
            await execute(upserts.cells, [
                {**_named(address), "n": n, "key_sum": key_sum}
                for address, (n, key_sum) in folded.cells.items()])
        if folded.values:
            await execute(upserts.values, [
                {**_named(address), "value": value, "count": count}
                for (address, value), count in folded.values.items()])
        if folded.snapshots:
            await execute(upserts.snapshots, [
                {**_named(address), "published_at": latest.published_at, "rank": latest.rank,
                 "key": latest.key, "counts": latest.counts, "sequence": latest.sequence}
                for address, latest in folded.snapshots.items()])
        if folded.intake:
            await execute(upserts.intake, [
                {"fact_type": fact_type, "applied": intake.applied, "held": intake.held,
                 "unused": intake.unused, "last_published_at": intake.last_published_at}
                for fact_type, intake in folded.intake.items()])
        if folded.held:
            await execute(insert(fact_review), [
                {"event_id": event_id, "fact_type": held.fact_type, "reason": held.reason.value,
                 "month": held.month, "district": held.district}
                for event_id, held in folded.held.items()])

    async def cells_of(self, measure: str, first_month: str, last_month: str,
                       district: str | None = None) -> list[RawCell]:
        """The raw cells of a measure in a month range (and district), with their values."""
        conditions = [cells.c.measure == measure, cells.c.month >= first_month,
                      cells.c.month <= last_month]
        value_conditions = [cell_values.c.measure == measure, cell_values.c.month >= first_month,
                            cell_values.c.month <= last_month]
        if district is not None:
            conditions.append(cells.c.district == district)
            value_conditions.append(cell_values.c.district == district)
        values: dict[tuple[str, str, str], dict[int, int]] = defaultdict(dict)
        # By mapping: a Row's ``count`` is the Sequence method to a type checker.
        for row in (await self._session.execute(
                select(cell_values).where(*value_conditions))).mappings():
            values[(row["month"], row["district"], row["dimensions"])][row["value"]] = \
                row["count"]
        rows = await self._session.execute(select(cells).where(*conditions))
        raw = [RawCell(row.month, row.district, decode_dimensions(row.dimensions), row.n,
                       row.key_sum, values.get((row.month, row.district, row.dimensions), {}))
               for row in rows]
        return raw + await self._snapshot_cells(measure, first_month, last_month, district)

    async def _snapshot_cells(self, measure: str, first_month: str, last_month: str,
                              district: str | None) -> list[RawCell]:
        """A snapshot measure's cells: one per count of each cell's latest snapshot."""
        conditions = [snapshots.c.measure == measure, snapshots.c.month >= first_month,
                      snapshots.c.month <= last_month]
        if district is not None:
            conditions.append(snapshots.c.district == district)
        return [RawCell(row.month, row.district,
                        {**decode_dimensions(row.dimensions), **counted_by}, count,
                        snapshot_key(row.key, position))
                for row in await self._session.execute(select(snapshots).where(*conditions))
                for position, (counted_by, count) in enumerate(decode_counts(row.counts))]

    async def months(self) -> list[str]:
        return sorted(set(await self._session.scalars(select(cells.c.month).distinct()))
                      | set(await self._session.scalars(select(snapshots.c.month).distinct())))

    async def districts(self) -> list[str]:
        return sorted(set(await self._session.scalars(select(cells.c.district).distinct()))
                      | set(await self._session.scalars(
                          select(snapshots.c.district).distinct())))

    async def intake(self) -> list[tuple[str, int, int, int, datetime | None]]:
        """Per fact type: applied, held, unused, and when the newest one taken in was
        published."""
        rows = await self._session.execute(select(fact_intake).order_by(fact_intake.c.fact_type))
        return [(row.fact_type, row.applied, row.held, row.unused,
                 as_utc(row.last_published_at) if row.last_published_at else None)
                for row in rows]

    async def clear(self) -> None:
        for table in AGGREGATES:
            await self._session.execute(delete(table))

    async def digest(self) -> str:
        """A canonical SHA-256 of every aggregate table: sorted rows, fixed formatting."""
        hasher = hashlib.sha256()
        for table in AGGREGATES:
            hasher.update(f"table {table.name}\n".encode())
            # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
            rows = sorted(repr(tuple(_canonical(value) for value in row))
                          for row in await self._session.execute(select(table)))
            for row in rows:
                hasher.update(row.encode() + b"\n")
        return hasher.hexdigest()


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, int):
        return int(value)
    return value
