"""What the dashboard and the annual report show beside arrivals: one panel per published
table (a measure, broken down by one dimension, optionally narrowed to one value of another).

Every panel is an ordinary query of the statistics API, so its numbers are the protected ones
the API and the CSV export give for the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ankommen.monitoring.domain.measures import (
    CAPACITY,
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    FIRST,
    OFFERED,
    PLACEMENTS,
    TAKEN,
    TRANSITIONS,
    UNMET_DEMAND,
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
        Panel("placements-waiting_days", PLACEMENTS, "waiting_days"),
        Panel("placements-within_6_weeks", PLACEMENTS, "within_6_weeks",
              {"placement": FIRST}))),
    Section("waitlisted", (
        Panel("waitlisted-reason", WAITLISTED, "reason"),
        Panel("waitlisted-waiting_days", WAITLISTED, "waiting_days"))),
    Section("unmet_demand", (
        Panel("unmet_demand-month", UNMET_DEMAND, MONTH),
        Panel("unmet_demand-course_type_wanted", UNMET_DEMAND, "course_type_wanted"),
        Panel("unmet_demand-reason", UNMET_DEMAND, "reason"))),
    Section("capacity", (
        Panel("capacity-offered", CAPACITY, "course_type", {"seats": OFFERED}),
        Panel("capacity-taken", CAPACITY, "course_type", {"seats": TAKEN}))),
    Section("course_outcomes", (
        Panel("course_outcomes-outcome", COURSE_OUTCOMES, "outcome"),
        Panel("course_outcomes-discontinuation_reason", COURSE_OUTCOMES,
              "discontinuation_reason", {"outcome": "discontinued"}),
        Panel("course_outcomes-levels_gained", COURSE_OUTCOMES, "levels_gained",
              {"outcome": "completed"}),
        Panel("course_outcomes-exam_outcome", COURSE_OUTCOMES, "exam_outcome"))),
    Section("exam_results", (
        Panel("exam_results-level_reached", EXAM_RESULTS, "level_reached", {"exam": "dtz"}),)),
    Section("transitions", (
        Panel("transitions-to_course_type", TRANSITIONS, "to_course_type"),
        Panel("transitions-weeks_between", TRANSITIONS, "weeks_between"))),
)
