"""The catalogue of published tables: which breakdowns and fixed filters each measure publishes.

Tables are designed, not free-form. Free filter combinations let anyone narrow a population to
a handful of people and read their attributes off the zeros of a breakdown (group disclosure);
a fixed catalogue keeps every published population one a county report needs, and large enough
to be checked (:mod:`populations`). Anything else is refused, naming the parameter.

``rows`` lists a table's rows when some dimension values are *structural zeros* — impossible by
definition (a discontinuation reason ``none`` among discontinued courses) — which are no rows at
all rather than a protected zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ankommen.monitoring.domain.measures import (
    ARRIVALS,
    CAPACITY,
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    FIRST,
    MEASURES,
    NONE,
    OFFERED,
    PLACEMENTS,
    TAKEN,
    TRANSITIONS,
    UNMET_DEMAND,
    WAITLISTED,
    Measure,
)

MONTH = "month"
DISTRICT = "district"
BY = "by"


class InvalidQuery(ValueError):
    """A query the API refuses: names the parameter and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class TableSpec:
    """One published table: a measure broken down ``by`` one dimension (or month, district),
    over the facts matching the fixed ``filters``."""

    key: str
    measure: Measure
    by: str
    filters: Mapping[str, str] = field(default_factory=dict[str, str])
    rows: tuple[str, ...] | None = None

    @property
    def filter_set(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.filters.items())

    def describe(self) -> str:
        return "&".join([f"by={self.by}", *(f"{k}={v}" for k, v in self.filters.items())])


def _spec(measure: Measure, by: str, filters: Mapping[str, str] | None = None, *,
          key: str | None = None, rows: tuple[str, ...] | None = None) -> TableSpec:
    return TableSpec(key or f"{measure.name}-{by}", measure, by, dict(filters or {}), rows)


def _values_but(measure: Measure, dimension: str, *left_out: str) -> tuple[str, ...]:
    found = measure.dimension(dimension)
    assert found is not None, dimension
    return tuple(value for value in found.values if value not in left_out)


CATALOGUE: tuple[TableSpec, ...] = (
    # residence_status is stored but not published: no county report needs it.
    *(_spec(ARRIVALS, by) for by in (
        MONTH, DISTRICT, "german_level", "age_band", "gender", "reads_latin_script",
        "schooling_band", "needs_childcare")),
    _spec(PLACEMENTS, MONTH), _spec(PLACEMENTS, "course_type"),
    _spec(PLACEMENTS, "waiting_days"),
    _spec(PLACEMENTS, "within_6_weeks", {"placement": FIRST}),
    _spec(WAITLISTED, MONTH), _spec(WAITLISTED, "reason"), _spec(WAITLISTED, "waiting_days"),
    _spec(UNMET_DEMAND, MONTH), _spec(UNMET_DEMAND, "course_type_wanted"),
    _spec(UNMET_DEMAND, "reason"),
    _spec(CAPACITY, "course_type", {"seats": OFFERED}, key="capacity-offered"),
    _spec(CAPACITY, "course_type", {"seats": TAKEN}, key="capacity-taken"),
    _spec(COURSE_OUTCOMES, "outcome"),
    _spec(COURSE_OUTCOMES, "discontinuation_reason", {"outcome": "discontinued"},
          rows=_values_but(COURSE_OUTCOMES, "discontinuation_reason", NONE)),
    _spec(COURSE_OUTCOMES, "levels_gained", {"outcome": "completed"}),
    _spec(COURSE_OUTCOMES, "exam_outcome"),
    _spec(EXAM_RESULTS, "level_reached", {"exam": "dtz"}),
    _spec(TRANSITIONS, MONTH), _spec(TRANSITIONS, "to_course_type"),
    _spec(TRANSITIONS, "weeks_between"),
)

BY_KEY: dict[str, TableSpec] = {spec.key: spec for spec in CATALOGUE}


def tables_of(measure: Measure) -> list[TableSpec]:
    return [spec for spec in CATALOGUE if spec.measure.name == measure.name]


def filter_sets(measure: Measure) -> list[frozenset[tuple[str, str]]]:
    """The distinct fixed-filter sets of a measure's tables (``{}`` always among them: the
    measure's whole population is the coarsest of all)."""
    sets = {frozenset[tuple[str, str]](), *(spec.filter_set for spec in tables_of(measure))}
    return sorted(sets, key=lambda found: (len(found), sorted(found)))


def table_for(measure_name: str, by: str, filters: Mapping[str, str]) -> TableSpec:
    """The catalogue table for a request, or a refusal naming the parameter at fault and
    listing what the measure publishes."""
    measure = MEASURES.get(measure_name)
    if measure is None:
        raise InvalidQuery("measure", f"no measure {measure_name!r}")
    published = tables_of(measure)
    listing = "; ".join(spec.describe() for spec in published)
    with_by = [spec for spec in published if spec.by == by]
    if not with_by:
        raise InvalidQuery(BY, f"{measure.name} is not published by {by!r}; published tables: "
                               f"{listing}")
    for spec in with_by:
        if dict(spec.filters) == dict(filters):
            return spec
    # Name the filter at fault: one given that no table by this breakdown fixes, or else
    # one that the table needs but is missing or has another value.
    fixed = {name for spec in with_by for name in spec.filters}
    name = next((name for name in sorted(filters) if name not in fixed),
                None) or next(name for name in sorted(fixed)
                              if any(spec.filters.get(name) != filters.get(name)
                                     for spec in with_by))
    raise InvalidQuery(name, f"this filter combination is not published; published tables: "
                             f"{listing}")
