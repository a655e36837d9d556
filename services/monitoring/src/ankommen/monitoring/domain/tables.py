"""Published tables: one measure, filtered over published dimensions, broken down by one
dimension (month, district or a dimension of the measure), with its total.

Every figure — each row and the total — is computed from the raw cells it covers and only
then protected (:mod:`disclosure`); a total is never the sum of published rows. Rows and
totals are built the same way whichever channel asks (API, CSV, dashboard, report), so the same
cell has the same value everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Published
from ankommen.monitoring.domain.measures import Measure
from ankommen.monitoring.domain.months import months_between

MONTH = "month"
DISTRICT = "district"


class InvalidQuery(ValueError):
    """A query the API refuses: names the parameter and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class RawCell:
    """A stored cell as read from the database."""

    month: str
    district: str
    dimensions: Mapping[str, str]
    n: int
    key_sum: int
    values: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    measure: Measure
    first_month: str
    last_month: str
    by: str
    district: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.first_month > self.last_month:
            raise InvalidQuery("from", "must not be after 'to'")
        allowed = {MONTH, DISTRICT, *(d.name for d in self.measure.dimensions)}
        if self.by not in allowed:
            raise InvalidQuery("by", f"must be one of {', '.join(sorted(allowed))}")
        for name, value in self.filters.items():
            dimension = self.measure.dimension(name)
            if dimension is None:
                raise InvalidQuery(name, "not a published dimension of this measure")
            if value not in dimension.values:
                raise InvalidQuery(name, f"must be one of {', '.join(dimension.values)}")

    def covers(self, cell: RawCell) -> bool:
        if not self.first_month <= cell.month <= self.last_month:
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

    def labels(self, seen: Iterable[str]) -> list[str]:
        """Rows to show: every month or dimension value (zeros included), seen districts."""
        if self.by == MONTH:
            return months_between(self.first_month, self.last_month)
        dimension = self.measure.dimension(self.by)
        if dimension is not None:
            return list(dimension.values)
        return sorted(set(seen))


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


def tabulate(query: Query, cells: Iterable[RawCell], policy: DisclosurePolicy
             ) -> PublishedTable:
    tallies: dict[str, Tally] = {}
    total = Tally()
    for cell in cells:
        if not query.covers(cell):
            continue
        tallies.setdefault(query.label_of(cell), Tally()).add(
            cell.n, cell.key_sum, cell.values.items())
        total.add(cell.n, cell.key_sum, cell.values.items())
    labels = query.labels(tallies)
    row_tallies = [tallies.get(label, Tally()) for label in labels]
    total_row = _row("total", total, policy.count(total), query.measure, policy)
    counts = policy.breakdown(row_tallies, total_row.count)
    rows = [_row(label, tally, count, query.measure, policy)
            for label, tally, count in zip(labels, row_tallies, counts, strict=True)]
    return PublishedTable(query, rows, total_row)


def _row(label: str, tally: Tally, count: Published, measure: Measure,
         policy: DisclosurePolicy) -> Row:
    if not measure.distribution:
        return Row(label, count)
    return Row(label, count, policy.percentile_weeks(tally, 50),
               policy.percentile_weeks(tally, 90))
