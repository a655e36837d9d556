"""What the dashboard and the annual report show: the catalogue of published tables
(:mod:`~ankommen.monitoring.domain.catalogue`), grouped into one section per measure.

The pages publish nothing the catalogue does not: every panel is a catalogue table over the
selected period and area, so its numbers are the protected ones the API and the CSV export
give for the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.monitoring.domain.catalogue import CATALOGUE, DISTRICT, MONTH, TableSpec
from ankommen.monitoring.domain.measures import MEASURES
from ankommen.monitoring.domain.periods import Period, PeriodKind


@dataclass(frozen=True)
class Section:
    key: str
    tables: tuple[TableSpec, ...]


#: One section per measure, in the order a county report reads them (arrivals first); each
#: holds the measure's catalogue tables in catalogue order.
SECTIONS = tuple(Section(name, tuple(spec for spec in CATALOGUE if spec.measure.name == name))
                 for name in MEASURES)


def offered(spec: TableSpec, period: Period, district: str | None) -> bool:
    """Whether a table exists for the selection: a month has no breakdown by month, and one
    district no breakdown by district (the API refuses both)."""
    if spec.by == MONTH:
        return period.kind is not PeriodKind.MONTH
    if spec.by == DISTRICT:
        return district is None
    return True
