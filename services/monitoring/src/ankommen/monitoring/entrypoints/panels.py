"""What the dashboard and the annual report show beside arrivals: one panel per published
table (a measure, broken down by one dimension, optionally narrowed to one value of another).

Every panel is an ordinary query of the statistics API, so its numbers are the protected ones
the API and the CSV export give for the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ankommen.monitoring.domain.measures import (
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    PLACEMENTS,
    WAITLISTED,
    Measure,
)
from ankommen.monitoring.domain.tables import MONTH, Query


@dataclass(frozen=True)
class Panel:
    key: str
    measure: Measure
    by: str
    filters: dict[str, str] = field(default_factory=dict)

    def query(self, selection: Query) -> Query:
        """The panel's query over the selection's months and district.

        The German-level filter belongs to arrivals only: the other measures do not know the
        level at intake, so it does not narrow them."""
        return replace(selection, measure=self.measure, by=self.by, filters=self.filters)


@dataclass(frozen=True)
class Section:
    key: str
    panels: tuple[Panel, ...]


SECTIONS = (
    Section("placements", (
        Panel("placements-month", PLACEMENTS, MONTH),
        Panel("placements-course_type", PLACEMENTS, "course_type"),
        Panel("placements-waiting_days", PLACEMENTS, "waiting_days"))),
    Section("waitlisted", (
        Panel("waitlisted-reason", WAITLISTED, "reason"),
        Panel("waitlisted-waiting_days", WAITLISTED, "waiting_days"))),
    Section("course_outcomes", (
        Panel("course_outcomes-outcome", COURSE_OUTCOMES, "outcome"),
        Panel("course_outcomes-discontinuation_reason", COURSE_OUTCOMES,
              "discontinuation_reason", {"outcome": "discontinued"}))),
    Section("exam_results", (
        Panel("exam_results-level_reached", EXAM_RESULTS, "level_reached", {"exam": "dtz"}),)),
)
