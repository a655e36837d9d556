"""Folding many facts into the changes they make to the aggregates, in memory.

Writing one row per fact and cell made monitoring as slow as its database round trips
(benchmark B1, ``docs/performance.md``). Every aggregate is built so that the order of facts
does not matter — counts, record-key sums and value counts are additive, a cell's snapshot is
the one published last — so a batch of facts can first be folded here into one change per
touched row and then written at once. The result is the same as applying the facts one by one,
which is what lets a rebuild from offset 0 reproduce the live aggregates exactly. (A cell's
latest snapshot is the one with the greatest :attr:`LatestSnapshot.order`.)

Which cells a fact adds to, which facts are held for review instead (out of bounds, closed
months included) and what counts as unused are decided here too (the rules of
:mod:`contributions` and :mod:`bounds`), so the live consumer and the rebuild cannot decide
differently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ankommen.monitoring.domain.bounds import Bounds, Reason
from ankommen.monitoring.domain.cells import (
    KEY_MODULUS,
    Contribution,
    Snapshot,
    encode_dimensions,
    record_key_value,
    snapshot_rank,
)
from ankommen.monitoring.domain.contributions import CONTRIBUTIONS, SNAPSHOTS
from ankommen.shared.events.contracts.facts import Fact


class Outcome(StrEnum):
    """What became of one fact."""

    APPLIED = "applied"
    #: Out of bounds (:mod:`bounds`, a closed month included): held for review, not counted.
    HELD = "held"
    #: A fact type monitoring does not aggregate (yet).
    UNUSED = "unused"


#: measure, month, district, canonical dimensions (:func:`cells.encode_dimensions`).
Address = tuple[str, str, str, str]


@dataclass(frozen=True)
class LatestSnapshot:
    """The snapshot a cell keeps: the one with the greatest :attr:`order`."""

    published_at: datetime
    rank: int
    key: int
    counts: str
    #: The producer's sequence (``None``: a snapshot from before sequences).
    sequence: int | None = None

    @property
    def order(self) -> tuple[int, datetime, int]:
        """Sequence first (every fact's time is its month's start now, so time cannot order
        the snapshots of a month); a snapshot without one comes before every snapshot with
        one (it was published before its producer had sequences) and among those without,
        publication time orders, as it did. The record key's rank breaks ties. The same
        order as the stored snapshot's upsert (``adapters.repository``)."""
        return (self.sequence or 0, self.published_at, self.rank)


@dataclass
class Intake:
    """What became of the facts of one type: counts per outcome and the newest publication of
    the facts taken in (a held fact's claimed time is not believed: it does not count)."""

    applied: int = 0
    held: int = 0
    unused: int = 0
    last_published_at: datetime | None = None

    def count(self, outcome: Outcome, published_at: datetime) -> None:
        if outcome is Outcome.HELD:
            self.held += 1
            return
        if outcome is Outcome.APPLIED:
            self.applied += 1
        else:
            self.unused += 1
        if self.last_published_at is None or published_at > self.last_published_at:
            self.last_published_at = published_at


@dataclass(frozen=True)
class Held:
    """A fact held for review: its type, why, and the month and district it is for (``None``
    for a fact type without cells, held only for its publication time)."""

    fact_type: str
    reason: Reason
    month: str | None
    district: str | None


def _address(measure: str, month: str, district: str, dimensions: Mapping[str, str]
             ) -> Address:
    return (measure, month, district, encode_dimensions(dimensions))


@dataclass(frozen=True)
class _Cell:
    """One contribution of a fact, addressed: the cell, its month and district (for the
    bounds), the value."""

    address: Address
    month: str
    district: str
    value: int | None


def _cells(contributions: list[Contribution]) -> tuple[_Cell, ...]:
    return tuple(_Cell(_address(c.measure, c.month, c.district, c.dimensions), c.month,
                       c.district, c.value) for c in contributions)


#: The cells of each fact *shape* — a fact type with its attributes apart from the record key,
#: on which alone the cells depend. Facts carry coarse attributes only, so a county's facts
#: have few shapes and each shape's cells are worked out once, not once per fact.
_CELLS_OF_SHAPE: dict[tuple[type[Fact], tuple[object, ...]], tuple[_Cell, ...]] = {}
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
    """The changes a set of facts makes to the aggregate tables, one entry per touched row, and
    the facts it holds for review."""

    def __init__(self, bounds: Bounds) -> None:
        self._bounds = bounds
        #: address → [n, key_sum mod 2**32], added to the stored cell.
        self.cells: dict[Address, list[int]] = {}
        #: (address, value) → how often the value occurs, added to the stored count.
        self.values: dict[tuple[Address, int], int] = {}
        #: address → the latest snapshot among the facts; replaces an older stored one.
        self.snapshots: dict[Address, LatestSnapshot] = {}
        #: fact type → outcomes, added to the stored counts.
        self.intake: dict[str, Intake] = {}
        #: event id → the fact held for review (the review list's new entries).
        self.held: dict[str, Held] = {}

    def __bool__(self) -> bool:
        return bool(self.cells or self.values or self.snapshots or self.intake or self.held)

    def add_fact(self, event_id: str, fact_type: str, fact: Fact, published_at: datetime,
                 now: datetime) -> Outcome:
        """Fold one fact in — received at ``now``, claiming ``published_at`` (both UTC) — or
        hold it for review, and say what became of it."""
        snapshot, cells = self._parts(fact)
        held = self._judge(snapshot, cells, published_at, now)
        if held is not None:
            self.held[event_id] = Held(fact_type, *held)
            outcome = Outcome.HELD
        else:
            outcome = Outcome.APPLIED if self._fold(fact, snapshot, cells, published_at) \
                else Outcome.UNUSED
        self.record_fact(fact_type, published_at, outcome)
        return outcome

    @staticmethod
    def _parts(fact: Fact) -> tuple[Snapshot | None, tuple[_Cell, ...] | None]:
        """The snapshot a fact states, or the cells it adds to (neither: a fact type without
        cells)."""
        take_snapshot = SNAPSHOTS.get(type(fact))
        if take_snapshot is not None:
            return take_snapshot(fact), None
        contribute = CONTRIBUTIONS.get(type(fact))
        return None, _cells_of(fact, contribute) if contribute is not None else None

    def _judge(self, snapshot: Snapshot | None, cells: tuple[_Cell, ...] | None,
               published_at: datetime, now: datetime
               ) -> tuple[Reason, str | None, str | None] | None:
        """Why the fact is held (with the month and district concerned), or ``None``."""
        if snapshot is not None:
            places: tuple[tuple[str, str], ...] = ((snapshot.month, snapshot.district),)
        else:
            places = tuple((cell.month, cell.district) for cell in cells or ())
        for month, district in places:
            reason = self._bounds.reason(month, district, now)
            if reason is not None:
                return reason, month, district
        if self._bounds.published_in_future(published_at, now):
            month, district = places[0] if places else (None, None)
            return Reason.FUTURE, month, district
        return None

    def fold(self, fact: Fact, published_at: datetime) -> bool:
        """Add the fact to its cells, whatever the bounds (a fact within them, or one an admin
        applied as a correction); ``False`` for a fact type without cells."""
        return self._fold(fact, *self._parts(fact), published_at)

    def _fold(self, fact: Fact, snapshot: Snapshot | None, cells: tuple[_Cell, ...] | None,
              published_at: datetime) -> bool:
        if snapshot is not None:
            self.put_snapshot(snapshot, record_key_value(fact.record_key),
                              snapshot_rank(fact.record_key), published_at)
            return True
        if cells is None:
            return False
        key = record_key_value(fact.record_key)
        for cell in cells:
            self._add(cell.address, cell.value, key)
        return True

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
        """Keep the snapshot if it is its cell's latest so far (:attr:`LatestSnapshot.order`)."""
        address = _address(snapshot.measure, snapshot.month, snapshot.district,
                           snapshot.dimensions)
        candidate = LatestSnapshot(published_at, rank, key, snapshot.encoded_counts(),
                                   snapshot.sequence)
        current = self.snapshots.get(address)
        if current is None or candidate.order > current.order:
            self.snapshots[address] = candidate

    def record_fact(self, fact_type: str, published_at: datetime, outcome: Outcome) -> None:
        intake = self.intake.get(fact_type)
        if intake is None:
            intake = self.intake[fact_type] = Intake()
        intake.count(outcome, published_at)
