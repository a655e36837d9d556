"""The catalogue: only designed tables are answered; anything else is refused by name."""

from __future__ import annotations

import pytest

from ankommen.monitoring.domain.catalogue import (
    BY_KEY,
    CATALOGUE,
    InvalidQuery,
    filter_sets,
    table_for,
)
from ankommen.monitoring.domain.measures import ARRIVALS, CAPACITY, MEASURES


def test_keys_are_unique_and_filters_are_dimensions_of_their_measure():
    assert len(BY_KEY) == len(CATALOGUE)
    for spec in CATALOGUE:
        for name, value in spec.filters.items():
            dimension = spec.measure.dimension(name)
            assert dimension is not None and value in dimension.values
        if spec.rows is not None:
            dimension = spec.measure.dimension(spec.by)
            assert dimension is not None and set(spec.rows) < set(dimension.values)
    assert {spec.measure.name for spec in CATALOGUE} == set(MEASURES)


def test_residence_status_and_free_filters_are_not_published():
    with pytest.raises(InvalidQuery) as by:
        table_for("arrivals", "residence_status", {})
    assert by.value.field == "by" and "by=german_level" in by.value.reason
    with pytest.raises(InvalidQuery) as free:  # the attack of issue 15: a free filter
        table_for("arrivals", "residence_status", {"gender": "diverse"})
    assert free.value.field == "by"
    with pytest.raises(InvalidQuery) as filtered:
        table_for("arrivals", "german_level", {"gender": "diverse"})
    assert filtered.value.field == "gender"


def test_fixed_filters_must_be_given_exactly():
    assert table_for("placements", "within_6_weeks", {"placement": "first"}).key == \
        "placements-within_6_weeks"
    with pytest.raises(InvalidQuery) as missing:
        table_for("placements", "within_6_weeks", {})
    assert missing.value.field == "placement"
    with pytest.raises(InvalidQuery) as other:
        table_for("placements", "within_6_weeks", {"placement": "next_course"})
    assert other.value.field == "placement"
    assert table_for("capacity", "course_type", {"seats": "taken"}).key == "capacity-taken"
    with pytest.raises(InvalidQuery) as either:
        table_for("capacity", "course_type", {})
    assert either.value.field == "seats"


def test_structural_zeros_are_no_rows():
    assert "none" not in (BY_KEY["course_outcomes-discontinuation_reason"].rows or ())


def test_filter_sets_of_a_measure_include_the_whole_population():
    assert filter_sets(ARRIVALS) == [frozenset()]
    assert filter_sets(CAPACITY) == [frozenset(), frozenset({("seats", "offered")}),
                                     frozenset({("seats", "taken")})]
