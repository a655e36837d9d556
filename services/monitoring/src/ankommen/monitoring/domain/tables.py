"""Published tables: one catalogue table (:mod:`catalogue`) over one period and area, with its
rows and total.

Every figure — each row and the total — is computed from the raw cells it covers and only
then protected (:mod:`disclosure`); a total is never the sum of published rows. Rows and
totals are built the same way whichever channel asks (API, CSV, dashboard, report), so the same
cell has the same value everywhere. A table that is not answered (:mod:`populations`) shows
every number as protected ("small population").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ankommen.monitoring.domain.catalogue import DISTRICT, MONTH, InvalidQuery, TableSpec
from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection, Published
from ankommen.monitoring.domain.measures import Measure
from ankommen.monitoring.domain.periods import Period, PeriodKind

__all__ = ["DISTRICT", "MONTH", "InvalidQuery", "PublishedTable", "Query", "RawCell", "Row",
           "tabulate"]


@dataclass(frozen=True)
class RawCell:
    """A stored cell as read from the database."""

    month: str
    district: str
    dimensions: Mapping[str, str]
    n: int
    key_sum: int
    values: Mapping[int, int] = field(default_factory=dict[int, int])


@dataclass(frozen=True)
class Query:
    """A catalogue table over one period and one area (``district`` ``None``: the county,
    whose districts are ``county``)."""

    table: TableSpec
    period: Period
    district: str | None = None
    county: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.table.by == MONTH and self.period.kind is PeriodKind.MONTH:
            raise InvalidQuery("by", "a month's table has no breakdown by month: ask for a "
                                     "quarter or a year")
        if self.table.by == DISTRICT and self.district is not None:
            raise InvalidQuery("district", "the breakdown by district covers the county: "
                                           "leave out district")
        if self.district is not None and self.county and self.district not in self.county:
            raise InvalidQuery("district", "not a district of the county")

    @property
    def measure(self) -> Measure:
        return self.table.measure

    @property
    def by(self) -> str:
        return self.table.by

    @property
    def filters(self) -> Mapping[str, str]:
        return self.table.filters

    @property
    def first_month(self) -> str:
        return self.period.first_month

    @property
    def last_month(self) -> str:
        return self.period.last_month

    def covers(self, cell: RawCell) -> bool:
        if not self.period.first_month <= cell.month <= self.period.last_month:
            return False
        if self.district is not None and cell.district != self.district:
            return False
        return all(cell.dimensions.get(name) == value for name, value in self.filters.items())

    def label_of(self, cell: RawCell) -> str:
        if self.by == MONTH:
            return cell.month
        if self.by == DISTRICT:
            return cell.district
        # A cell stored before its measure gained a dimension has none: it counts in the
        # total but in no row (a rebuild brings it up to date).
        return cell.dimensions.get(self.by, "")

    def labels(self) -> list[str]:
        """The rows, fixed by design whatever was seen (a missing row would reveal a zero):
        the period's months, all the county's districts, or the dimension's values less the
        structural zeros."""
        if self.by == MONTH:
            return self.period.months
        if self.by == DISTRICT:
            return sorted(self.county)
        if self.table.rows is not None:
            return list(self.table.rows)
        dimension = self.measure.dimension(self.by)
        return list(dimension.values) if dimension is not None else []


@dataclass(frozen=True)
class Row:
    label: str
    count: Published
    median_weeks: Published | None = None
    p90_weeks: Published | None = None


@dataclass(frozen=True)
class PublishedTable:
    query: Query
    rows: list[Row]
    total: Row
    #: Whether the table is answered; if not, every number is protected (small population).
    answered: bool = True


def tabulate(query: Query, cells: Iterable[RawCell], policy: DisclosurePolicy,
             answered: bool = True) -> PublishedTable:
    labels = query.labels()
    if not answered:
        return _unanswered(query, labels)
    tallies: dict[str, Tally] = {}
    total = Tally()
    for cell in cells:
        if not query.covers(cell):
            continue
        tallies.setdefault(query.label_of(cell), Tally()).add(
            cell.n, cell.key_sum, cell.values.items())
        total.add(cell.n, cell.key_sum, cell.values.items())
    row_tallies = [tallies.get(label, Tally()) for label in labels]
    total_row = _row("total", total, policy.count(total), query.measure, policy)
    counts = policy.breakdown(row_tallies, total_row.count)
    rows = [_row(label, tally, count, query.measure, policy)
            for label, tally, count in zip(labels, row_tallies, counts, strict=True)]
    return PublishedTable(query, rows, total_row)


def _unanswered(query: Query, labels: Sequence[str]) -> PublishedTable:
    hidden = Published(None, Protection.SMALL_POPULATION)

    def row(label: str) -> Row:
        if not query.measure.distribution:
            return Row(label, hidden)
        return Row(label, hidden, hidden, hidden)

    return PublishedTable(query, [row(label) for label in labels], row("total"),
                          answered=False)


def _row(label: str, tally: Tally, count: Published, measure: Measure,
         policy: DisclosurePolicy) -> Row:
    if not measure.distribution:
        return Row(label, count)
    return Row(label, count, policy.percentile_weeks(tally, 50),
               policy.percentile_weeks(tally, 90))
