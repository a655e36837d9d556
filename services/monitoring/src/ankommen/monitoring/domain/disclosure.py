"""Statistical disclosure control: every number monitoring publishes passes through here.

- *Minimum count*: a cell with a true count of 1 … ``min_count - 1`` is never shown; it is
  published as protected ("·").
- *Zeros* are published exactly like small counts ("·", ``small_count``): in a small
  population where all or all but a few share one category, the zeros of the other categories
  tell everybody's attribute (group disclosure — Hundepool et al., *Handbook on Statistical
  Disclosure Control*, 2nd ed. 2024, ch. 5; Statistics Norway's KOSTRA standard treats empty
  cells as sensitive too). "·" therefore means "fewer than ``min_count``, possibly
  none". Structural zeros (impossible by definition) are no rows at all (:mod:`catalogue`).
- *Cell Key Method* (as in the German Census 2022): every fact carries a random record key; a
  cell's key is the sum of its facts' keys modulo 2**32, so it is uniform and the same for the
  same set of facts. The perturbation table maps (count, cell key) to a noise of at most
  ``max_deviation``; the same cell therefore gets the same value in every query and export.
  Noise never pushes a count below ``min_count``, so no published count is 1 … ``min_count - 1``.
- *Distributions*: medians and percentiles only for cells with at least ``min_distribution``
  facts, rounded to whole weeks.
- *Secondary suppression* inside each published table: if exactly one cell of a breakdown is
  protected, its smallest published sibling is protected too, so that "total minus the other
  cells" never isolates a single small cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ankommen.monitoring.domain.cells import KEY_MODULUS, Tally

#: The sign shown for a protected cell, on the dashboard, in CSV and in the report.
PROTECTED_SIGN = "·"


class Protection(StrEnum):
    """Why a number is not shown."""

    #: A true count of 1 … min_count - 1 (primary suppression).
    SMALL_COUNT = "small_count"
    #: Hidden so that the table's total does not reveal a small cell (secondary suppression).
    SECONDARY = "secondary"
    #: Too few facts for a median or percentile.
    TOO_FEW_FOR_DISTRIBUTION = "too_few_for_distribution"
    #: The whole table is not answered: its population is too small, or too close to a
    #: larger published one (:mod:`populations`).
    SMALL_POPULATION = "small_population"


@dataclass(frozen=True)
class Published:
    """One published number: a value, or the reason it is protected."""

    value: int | None
    protection: Protection | None = None

    @property
    def shown(self) -> str:
        return PROTECTED_SIGN if self.value is None else str(self.value)


@dataclass(frozen=True)
class DisclosurePolicy:
    min_count: int = 5
    max_deviation: int = 2
    min_distribution: int = 10
    #: Whether a true zero is protected like a small count (off only in tests of the rules).
    protect_zeros: bool = True

    def __post_init__(self) -> None:
        if self.min_count < 1 or self.max_deviation < 0 or self.min_distribution < 1:
            raise ValueError("min_count and min_distribution must be ≥ 1, max_deviation ≥ 0")

    def noise_distribution(self, n: int) -> list[tuple[int, int]]:
        """The perturbation table's row for a true count ``n`` ≥ min_count: (noise, weight).

        Triangular weights (``max_deviation + 1 - |d|``), symmetric and so unbiased for counts
        far enough above the minimum; near the minimum the negative noises that would publish
        a count below ``min_count`` are left out.
        """
        if n < self.min_count:
            raise ValueError("counts below the minimum are suppressed, not perturbed")
        lowest = max(-self.max_deviation, self.min_count - n)
        return [(noise, self.max_deviation + 1 - abs(noise))
                for noise in range(lowest, self.max_deviation + 1)]

    def noise(self, n: int, cell_key: int) -> int:
        """The noise of a cell: the cell key, read as a uniform position, picks the row entry."""
        row = self.noise_distribution(n)
        position = cell_key * sum(weight for _, weight in row) // KEY_MODULUS
        for noise, weight in row:
            if position < weight:
                return noise
            position -= weight
        raise AssertionError("the cell key lies outside [0, 2**32)")

    def count(self, tally: Tally) -> Published:
        """The published count of a cell (computed from its raw tally, never from others)."""
        if tally.n == 0 and not self.protect_zeros:
            return Published(0)
        if tally.n < self.min_count:
            return Published(None, Protection.SMALL_COUNT)
        return Published(tally.n + self.noise(tally.n, tally.cell_key))

    def percentile_weeks(self, tally: Tally, percent: int) -> Published:
        """A percentile of the cell's values (whole weeks), for n ≥ min_distribution."""
        size = sum(tally.values.values())
        if size < self.min_distribution:
            return Published(None, Protection.TOO_FEW_FOR_DISTRIBUTION)
        rank = max(1, math.ceil(percent / 100 * size))  # nearest-rank percentile
        seen = 0
        for value in sorted(tally.values):
            seen += tally.values[value]
            if seen >= rank:
                return Published(value)
        raise AssertionError("rank beyond the cell's values")

    def breakdown(self, tallies: Sequence[Tally], total: Published) -> list[Published]:
        """Published counts of the cells of one table, with secondary suppression."""
        published = [self.count(tally) for tally in tallies]
        small = [i for i, cell in enumerate(published)
                 if cell.protection is Protection.SMALL_COUNT]
        if len(small) == 1 and total.value is not None:
            candidates = [i for i, cell in enumerate(published) if cell.value]
            if candidates:
                hidden = min(candidates, key=lambda i: (tallies[i].n, tallies[i].cell_key))
                published[hidden] = Published(None, Protection.SECONDARY)
        return published
