"""Folding many facts into the changes they make to the aggregates, in memory.

Writing one row per fact and cell made monitoring as slow as its database round trips
(benchmark B1, ``docs/performance.md``). Every aggregate is built so that the order of facts
does not matter — counts, record-key sums and value counts are additive, a cell's snapshot is
the one published last — so a batch of facts can first be folded here into one change per
touched row and then written at once. The result is the same as applying the facts one by one,
which is what lets a rebuild from offset 0 reproduce the live aggregates exactly.

Which cells a fact adds to, when a month is frozen and what counts as unused are decided here
too (the rules of :mod:`contributions` and :mod:`months`), so the live consumer and the rebuild
cannot decide differently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ankommen.monitoring.domain.cells import (
    KEY_MODULUS,
    Contribution,
    Snapshot,
    encode_dimensions,
    record_key_value,
    snapshot_rank,
)
from ankommen.monitoring.domain.contributions import CONTRIBUTIONS, SNAPSHOTS
from ankommen.monitoring.domain.months import month_closes_at
from ankommen.shared.events.contracts.facts import Fact


class Outcome(StrEnum):
    """What became of one fact."""

    APPLIED = "applied"
    #: Its month was already closed (frozen).
    LATE = "late"
    #: A fact type monitoring does not aggregate (yet).
    UNUSED = "unused"


#: measure, month, district, canonical dimensions (:func:`cells.encode_dimensions`).
Address = tuple[str, str, str, str]


@dataclass(frozen=True)
class LatestSnapshot:
    """The snapshot a cell keeps: the one with the greatest (published_at, rank)."""

    published_at: datetime
    rank: int
    key: int
    counts: str

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.published_at, self.rank)


@dataclass
class Intake:
    """What became of the facts of one type: counts per outcome and the newest publication."""

    applied: int = 0
    late: int = 0
    unused: int = 0
    last_published_at: datetime | None = None

    def count(self, outcome: Outcome, published_at: datetime) -> None:
        if outcome is Outcome.APPLIED:
            self.applied += 1
        elif outcome is Outcome.LATE:
            self.late += 1
        else:
            self.unused += 1
        if self.last_published_at is None or published_at > self.last_published_at:
            self.last_published_at = published_at


def _address(measure: str, month: str, district: str, dimensions: Mapping[str, str]
             ) -> Address:
    return (measure, month, district, encode_dimensions(dimensions))


@dataclass(frozen=True)
class _Cell:
    """One contribution of a fact, addressed: the cell, its month (for lateness), the value."""

    address: Address
    month: str
    value: int | None


def _cells(contributions: list[Contribution]) -> tuple[_Cell, ...]:
    return tuple(_Cell(_address(c.measure, c.month, c.district, c.dimensions), c.month,
                       c.value) for c in contributions)


#: The cells of each fact *shape* — a fact type with its attributes apart from the record key,
#: on which alone the cells depend. Facts carry coarse attributes only, so a county's facts
#: have few shapes and each shape's cells are worked out once, not once per fact.
_CELLS_OF_SHAPE: dict[tuple, tuple[_Cell, ...]] = {}
_SHAPES_KEPT = 100_000


def _cells_of(fact: Fact, contribute: Callable[[Fact], list[Contribution]]
              ) -> tuple[_Cell, ...]:
    try:
        # The record key is every fact's first field (declared by Fact, the base).
        shape = (type(fact), tuple(fact.__dict__.values())[1:])
        cells = _CELLS_OF_SHAPE.get(shape)
    except TypeError:  # an attribute that cannot be hashed: no shortcut for this fact
        return _cells(contribute(fact))
    if cells is None:
        cells = _cells(contribute(fact))
        if len(_CELLS_OF_SHAPE) < _SHAPES_KEPT:
            _CELLS_OF_SHAPE[shape] = cells
    return cells


class FoldedFacts:
    """The changes a set of facts makes to the aggregate tables, one entry per touched row."""

    def __init__(self, grace: timedelta) -> None:
        self._grace = grace
        self._closes_at: dict[str, datetime] = {}
        #: address → [n, key_sum mod 2**32], added to the stored cell.
        self.cells: dict[Address, list[int]] = {}
        #: (address, value) → how often the value occurs, added to the stored count.
        self.values: dict[tuple[Address, int], int] = {}
        #: address → the latest snapshot among the facts; replaces an older stored one.
        self.snapshots: dict[Address, LatestSnapshot] = {}
        #: fact type → outcomes, added to the stored counts.
        self.intake: dict[str, Intake] = {}

    def __bool__(self) -> bool:
        return bool(self.cells or self.values or self.snapshots or self.intake)

    def _late(self, month: str, published_at: datetime) -> bool:
        closes_at = self._closes_at.get(month)
        if closes_at is None:
            closes_at = self._closes_at[month] = month_closes_at(month, self._grace)
        return published_at >= closes_at

    def add_fact(self, fact_type: str, fact: Fact, published_at: datetime) -> Outcome:
        """Fold one fact in (``published_at`` in UTC) and say what became of it."""
        take_snapshot = SNAPSHOTS.get(type(fact))
        if take_snapshot is not None:
            snapshot = take_snapshot(fact)
            outcome = Outcome.LATE if self._late(snapshot.month, published_at) \
                else Outcome.APPLIED
            if outcome is Outcome.APPLIED:
                self.put_snapshot(snapshot, record_key_value(fact.record_key),
                                  snapshot_rank(fact.record_key), published_at)
        else:
            contribute = CONTRIBUTIONS.get(type(fact))
            outcome = Outcome.APPLIED if contribute is not None else Outcome.UNUSED
            if contribute is not None:
                key = record_key_value(fact.record_key)
                for cell in _cells_of(fact, contribute):
                    if self._late(cell.month, published_at):
                        outcome = Outcome.LATE
                        continue
                    self._add(cell.address, cell.value, key)
        self.record_fact(fact_type, published_at, outcome)
        return outcome

    def _add(self, address: Address, value: int | None, key: int) -> None:
        """One fact in one cell: one more in ``n``, its record key into ``key_sum``."""
        cell = self.cells.get(address)
        if cell is None:
            self.cells[address] = [1, key % KEY_MODULUS]
        else:
            cell[0] += 1
            cell[1] = (cell[1] + key) % KEY_MODULUS
        if value is not None:
            entry = (address, value)
            self.values[entry] = self.values.get(entry, 0) + 1

    def put_snapshot(self, snapshot: Snapshot, key: int, rank: int, published_at: datetime
                     ) -> None:
        """Keep the snapshot if it is its cell's latest so far (by publication, then rank)."""
        address = _address(snapshot.measure, snapshot.month, snapshot.district,
                           snapshot.dimensions)
        candidate = LatestSnapshot(published_at, rank, key, snapshot.encoded_counts())
        current = self.snapshots.get(address)
        if current is None or candidate.order > current.order:
            self.snapshots[address] = candidate

    def record_fact(self, fact_type: str, published_at: datetime, outcome: Outcome) -> None:
        intake = self.intake.get(fact_type)
        if intake is None:
            intake = self.intake[fact_type] = Intake()
        intake.count(outcome, published_at)
