"""Which tables are answered: the population threshold and the complement rule.

A table's *population* is the set of its measure's facts in its period × area × fixed filters
(for capacity: the seats); its size is the true total. A table is answered only when

1. its size is at least ``min_population`` (default 20): a breakdown of a smaller population
   tells too much about each member, whatever happens to the single cells; and
2. for every population *nested* with it (one contains the other) that is decided before it
   and answered, the difference of the sizes is 0 or at least ``min_population``. Nested: a
   period within the other (a month in its quarter or year, a quarter in its year), the same
   area or a district within the county, and fixed filters that some catalogue table of the
   measure uses, a subset for the larger population (``{}`` included).

Why the second rule: the Cell Key Method's noise depends only on the set of facts in a cell,
so two published cells whose sets differ by a single person differ in value exactly when that
person is in them. Subtracting a nested table from the one around it would isolate a few people
as surely as a table of their own; nested populations must therefore differ by a whole
population or not at all.

**The order of decisions follows time.** Shorter periods close first: a month is published
when it closes, weeks before its quarter and year. Its answer must never be taken back later
(a table once published stays in the world), so a month is decided before its quarter and
year, and they yield to it: a quarter or year that differs from an answered month (or quarter)
by fewer than ``min_population`` is not answered. Within one period — published all at once —
the county comes before its districts, and a measure's whole population before a filtered
part of it, so that the figure most people need wins. Formally populations are decided by
(period level, area level, number of filters), each against those before it; every answer
depends only on frozen months, so it never changes (an admin's correction of a closed month
excepted, which is shown as such).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ankommen.monitoring.domain.catalogue import filter_sets
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.measures import Measure
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.domain.tables import PublishedTable, Query, RawCell, tabulate

FilterSet = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Population:
    """The facts a table is computed over: measure × period × area (``None``: the county) ×
    fixed filters."""

    measure: Measure
    period: Period
    district: str | None
    filters: FilterSet

    def covers(self, cell: RawCell) -> bool:
        if self.district is not None and cell.district != self.district:
            return False
        return all(cell.dimensions.get(name) == value for name, value in self.filters)

    @property
    def order(self) -> tuple[int, int, int]:
        """When it is decided: shorter periods first, then the county before a district, then
        fewer fixed filters before more."""
        return (self.period.level, 0 if self.district is None else 1, len(self.filters))

    def decided_before(self, county: Sequence[str]) -> list[Population]:
        """Every population of the same measure that a table may cover, nested with this one
        (containing it or contained in it), and decided before it."""
        sets = filter_sets(self.measure)
        larger = [Population(self.measure, period, district, found)
                  for period in (self.period, *self.period.enclosing())
                  for district in {self.district, None}
                  for found in sets if found <= self.filters]
        smaller_areas = [self.district] if self.district is not None else [None, *county]
        smaller = [Population(self.measure, period, district, found)
                   for period in (self.period, *self.period.within())
                   for district in smaller_areas
                   for found in sets if found >= self.filters]
        return [population for population in {*larger, *smaller}
                if population.order < self.order]


class Populations:
    """Sizes and answers for the populations of one measure, from its raw cells (those of
    every period that may enclose the tables asked for: the year of each)."""

    def __init__(self, cells: Iterable[RawCell], rules: PublicationRules,
                 published: Callable[[Period], bool], county: Sequence[str] = ()) -> None:
        self._by_month: dict[str, list[RawCell]] = {}
        for cell in cells:
            self._by_month.setdefault(cell.month, []).append(cell)
        self._rules = rules
        self._published = published
        self._county = tuple(county)
        self._sizes: dict[Population, int] = {}
        self._answered: dict[Population, bool] = {}

    def size(self, population: Population) -> int:
        size = self._sizes.get(population)
        if size is None:
            size = self._sizes[population] = sum(
                cell.n for month in population.period.months
                for cell in self._by_month.get(month, ()) if population.covers(cell))
        return size

    def answered(self, population: Population) -> bool:
        """Whether a table over ``population`` is answered (its period is published and the
        rules hold)."""
        answer = self._answered.get(population)
        if answer is None:
            answer = self._answered[population] = self._decide(population)
        return answer

    def _decide(self, population: Population) -> bool:
        if not self._published(population.period):
            return False
        size = self.size(population)
        minimum = self._rules.min_population
        if size < minimum:
            return False
        if not self._rules.complement:
            return True
        return all(difference == 0 or abs(difference) >= minimum
                   for difference in self._differences(population, size))

    def _differences(self, population: Population, size: int) -> Sequence[int]:
        return [self.size(earlier) - size
                for earlier in population.decided_before(self._county)
                if self.answered(earlier)]


def answer(query: Query, cells: Iterable[RawCell], policy: DisclosurePolicy,
           rules: PublicationRules, now: datetime) -> PublishedTable:
    """The published table for ``query``, from the raw cells of its measure over (at least)
    every period that encloses it and every district: answered or not, zeros protected or
    not, as the rules say."""
    cells = list(cells)
    populations = Populations(cells, rules,
                              lambda period: rules.publication.is_published(period, now),
                              # Every district with facts: one without has no population to
                              # answer, so it constrains nothing.
                              sorted({*query.county, *(cell.district for cell in cells)}))
    answered = populations.answered(Population(query.measure, query.period, query.district,
                                               query.table.filter_set))
    return tabulate(query, cells, replace(policy, protect_zeros=rules.protect_zeros), answered)
