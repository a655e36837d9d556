"""Cells: the one shape every aggregate takes.

A cell is addressed by measure × month × district × dimension values. It holds the number of
facts in it (``n``) and the sum of their record keys modulo 2**32 (``key_sum``), from which the
Cell Key Method derives the cell's noise. Both are additive, so any coarser cell — a total over
districts, months or dimension values — is computed from the raw cells it covers, never from
published (already protected) numbers. Measures with a distribution (waiting weeks, weeks in
course) also keep the multiset of values per cell, so medians and percentiles of any coarser
cell are exact.

Snapshot measures (capacity) are the exception to "one fact, one count": a snapshot states the
numbers of its cell as of its publication, and the last one of a month replaces the earlier
ones (:class:`Snapshot`). Which one is last depends only on the set of facts (its producer's
``sequence``; for a snapshot from before sequences, its publication time, as then; then a part
of the record key), so a rebuild reproduces it. Facts carry no exact time any more — their
envelope time is their month's start — so the time alone can no longer order them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

KEY_MODULUS = 2 ** 32


def record_key_value(record_key: str) -> int:
    """The part of a fact's random record key that enters the cell key (uniform on 2**32)."""
    return int(record_key, 16) % KEY_MODULUS


def encode_dimensions(dimensions: Mapping[str, str]) -> str:
    """A canonical text form of dimension values, stable across rebuilds: sorted ``k=v|…``."""
    return "|".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))


def decode_dimensions(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split("|"))


@dataclass(frozen=True)
class Contribution:
    """What one fact adds to one cell: one to ``n``, its record key, maybe a value."""

    measure: str
    month: str
    district: str
    dimensions: Mapping[str, str]
    value: int | None = None


@dataclass(frozen=True)
class Snapshot:
    """What one snapshot fact states for its cell: counts by one more dimension (e.g. seats
    offered and taken), each published as its own cell."""

    measure: str
    month: str
    district: str
    dimensions: Mapping[str, str]
    #: The dimension the counts are by, and the count per value.
    counted_by: str
    counts: Mapping[str, int]
    #: The producer's order of its snapshots of this cell (greater: later); ``None`` for a
    #: snapshot from before it had one.
    sequence: int | None = None

    def encoded_counts(self) -> str:
        return "|".join(f"{self.counted_by}={value}:{self.counts[value]}"
                        for value in sorted(self.counts))


def decode_counts(text: str) -> list[tuple[dict[str, str], int]]:
    """The stored counts of a snapshot: (the dimension and its value, count) per value."""
    decoded: list[tuple[dict[str, str], int]] = []
    for part in text.split("|") if text else ():
        pair, count = part.rsplit(":", 1)
        decoded.append((decode_dimensions(pair), int(count)))
    return decoded


def snapshot_rank(record_key: str) -> int:
    """Breaks ties between snapshots of the same sequence and time: another part of the
    random record key than the cell key uses."""
    return int(record_key, 16) >> 96


def snapshot_key(key: int, position: int) -> int:
    """The cell key of the ``position``-th count of a snapshot: distinct per count (a bijection
    of the uniform key, so still uniform), so that seats offered and seats taken of one
    snapshot do not get the same noise."""
    return (key * (2 * position + 1) + position * 0x9E3779B9) % KEY_MODULUS


@dataclass
class Tally:
    """A cell's raw content, or the raw content of a union of cells."""

    n: int = 0
    key_sum: int = 0
    values: dict[int, int] = field(default_factory=dict[int, int])

    @property
    def cell_key(self) -> int:
        return self.key_sum % KEY_MODULUS

    def add(self, n: int, key_sum: int, values: Iterable[tuple[int, int]] = ()) -> None:
        self.n += n
        self.key_sum = (self.key_sum + key_sum) % KEY_MODULUS
        for value, count in values:
            self.values[value] = self.values.get(value, 0) + count
