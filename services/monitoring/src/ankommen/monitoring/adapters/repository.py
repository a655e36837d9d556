"""The aggregate repository: every query of monitoring, in one place.

Cells are upserted (count and record-key sum added), so each fact is one short write whatever
the order facts arrive in; the result depends only on the set of facts, which is what makes a
rebuild from offset 0 reproduce it exactly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.monitoring.adapters.tables import AGGREGATES, cell_values, cells, fact_intake
from ankommen.monitoring.domain.cells import (
    KEY_MODULUS,
    Contribution,
    decode_dimensions,
    encode_dimensions,
)
from ankommen.monitoring.domain.tables import RawCell


class Outcome(StrEnum):
    """What became of one fact."""

    APPLIED = "applied"
    #: Its month was already closed (frozen).
    LATE = "late"
    #: A fact type monitoring does not aggregate (yet).
    UNUSED = "unused"


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Aggregates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, table):  # noqa: ANN001, ANN202 - the dialect's INSERT … ON CONFLICT
        dialect = self._session.bind.dialect.name
        return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)

    async def add(self, contribution: Contribution, key: int) -> None:
        address = {"measure": contribution.measure, "month": contribution.month,
                   "district": contribution.district,
                   "dimensions": encode_dimensions(contribution.dimensions)}
        statement = self._insert(cells).values(**address, n=1, key_sum=key)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=list(address), set_={
                "n": cells.c.n + 1,
                "key_sum": (cells.c.key_sum + statement.excluded.key_sum) % KEY_MODULUS}))
        if contribution.value is not None:
            statement = self._insert(cell_values).values(**address, value=contribution.value,
                                                          count=1)
            await self._session.execute(statement.on_conflict_do_update(
                index_elements=[*address, "value"], set_={"count": cell_values.c.count + 1}))

    async def record_fact(self, fact_type: str, published_at: datetime, outcome: Outcome
                          ) -> None:
        counts = {name: int(name == outcome.value) for name in ("applied", "late", "unused")}
        statement = self._insert(fact_intake).values(
            fact_type=fact_type, last_published_at=published_at, **counts)
        newest = (func.max if self._session.bind.dialect.name == "sqlite" else func.greatest)(
            fact_intake.c.last_published_at, statement.excluded.last_published_at)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["fact_type"], set_={
                **{name: fact_intake.c[name] + statement.excluded[name] for name in counts},
                "last_published_at": newest}))

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
        for row in await self._session.execute(select(cell_values).where(*value_conditions)):
            values[(row.month, row.district, row.dimensions)][row.value] = row.count
        rows = await self._session.execute(select(cells).where(*conditions))
        return [RawCell(row.month, row.district, decode_dimensions(row.dimensions), row.n,
                        row.key_sum, values.get((row.month, row.district, row.dimensions), {}))
                for row in rows]

    async def months(self) -> list[str]:
        return list(await self._session.scalars(
            select(cells.c.month).distinct().order_by(cells.c.month)))

    async def districts(self) -> list[str]:
        return list(await self._session.scalars(
            select(cells.c.district).distinct().order_by(cells.c.district)))

    async def intake(self) -> list[tuple[str, int, int, int, datetime]]:
        """Per fact type: applied, late, unused, and when the newest one was published."""
        rows = await self._session.execute(select(fact_intake).order_by(fact_intake.c.fact_type))
        return [(row.fact_type, row.applied, row.late, row.unused,
                 as_utc(row.last_published_at)) for row in rows]

    async def last_published_at(self) -> datetime | None:
        newest = await self._session.scalar(select(func.max(fact_intake.c.last_published_at)))
        return as_utc(newest) if newest is not None else None

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
