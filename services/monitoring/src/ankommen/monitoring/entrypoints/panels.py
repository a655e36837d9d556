"""What the dashboard and the annual report show: views of the catalogue (:mod:`catalogue`),
one panel per published table, grouped in sections.

Every panel is a catalogue table over the selected period and area, so its numbers are the
protected ones the API and the CSV export give for the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.monitoring.domain.catalogue import BY_KEY, CATALOGUE, TableSpec

#: A panel shows one catalogue table.
Panel = TableSpec


@dataclass(frozen=True)
class Section:
    key: str
    panels: tuple[Panel, ...]


def _section(measure: str) -> Section:
    return Section(measure, tuple(spec for spec in CATALOGUE if spec.measure.name == measure))


#: Arrivals, shown first (the dashboard's main view).
ARRIVAL_PANELS: tuple[Panel, ...] = _section("arrivals").panels
#: The tables beside arrivals.
SECTIONS = tuple(_section(measure) for measure in (
    "placements", "waitlisted", "unmet_demand", "capacity", "course_outcomes", "exam_results",
    "transitions"))

assert all(key in BY_KEY for section in SECTIONS for key in (p.key for p in section.panels))
