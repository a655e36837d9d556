"""Every fact type monitoring understands adds to cells of its measure, over published
dimensions and values only."""

from __future__ import annotations

import secrets

import pytest

from ankommen.monitoring.domain.contributions import CONTRIBUTIONS, SNAPSHOTS, levels_gained
from ankommen.monitoring.domain.measures import MEASURES
from ankommen.shared.events.contracts.assignment import (
    CourseCapacityFact,
    CourseTransitionFact,
    DemandUnmetFact,
    PlacementMadeFact,
    WaitlistedFact,
)
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact

PLACE = {"record_key": secrets.token_hex(16), "month": "2026-11", "district": "03358"}
EXAMPLES = [
    ArrivalRecorded(**PLACE, german_level="A0", age_band="18_to_26", gender="male",
                    reads_latin_script=False, schooling_band="1_to_6", needs_childcare=True,
                    residence_status="asylum_seeker"),
    PlacementMadeFact(**PLACE, course_type="literacy", waiting_days="31-90", waiting_weeks=6),
    WaitlistedFact(**PLACE, reason="courses_full", waiting_days="0-30"),
    CourseOutcomeFact(**PLACE, outcome="discontinued", discontinuation_reason="childcare",
                      attendance_band="below_50", exam_outcome="not_taken",
                      course_type="parents", weeks_in_course=12),
    ExamResultFact(**PLACE, exam="dtz", outcome="passed", level_reached="B1",
                   course_type="general_integration"),
    DemandUnmetFact(**PLACE, course_type_wanted="literacy", reason="no_fitting_course"),
    CourseTransitionFact(**PLACE, from_course_type="general_integration",
                         to_course_type="job_related_b2", weeks_between="7-13"),
    CourseOutcomeFact(**PLACE, outcome="completed", attendance_band="at_least_90",
                      exam_outcome="passed", level_at_start="A1", level_reached="B1",
                      course_type="general_integration", weeks_in_course=30),
]
CAPACITY = CourseCapacityFact(**PLACE, course_type="literacy", seats_offered=24, seats_taken=19)


def test_every_fact_type_with_contributions_has_an_example_here():
    assert {type(fact) for fact in EXAMPLES} == set(CONTRIBUTIONS)
    assert set(SNAPSHOTS) == {CourseCapacityFact}


@pytest.mark.parametrize("fact", EXAMPLES, ids=lambda fact: type(fact).__name__)
def test_contributions_name_only_published_dimensions_and_values(fact):
    contributions = CONTRIBUTIONS[type(fact)](fact)
    assert contributions
    for contribution in contributions:
        measure = MEASURES[contribution.measure]
        assert (contribution.month, contribution.district) == ("2026-11", "03358")
        assert set(contribution.dimensions) == {d.name for d in measure.dimensions}
        for name, value in contribution.dimensions.items():
            assert str(value) in measure.dimension(name).values, (name, value)


def test_an_absent_level_is_its_own_published_value():
    fact = EXAMPLES[3]
    [contribution] = CONTRIBUTIONS[type(fact)](fact)
    assert contribution.dimensions["level_reached"] == "none"


def test_placement_within_six_weeks_is_decided_from_whole_weeks_begun():
    def within(**fields: object) -> tuple[str, int | None]:
        fact = PlacementMadeFact(**PLACE, course_type="literacy", waiting_days="31-90",
                                 **fields)
        [contribution] = CONTRIBUTIONS[PlacementMadeFact](fact)
        return contribution.dimensions["within_6_weeks"], contribution.value

    assert within(waiting_weeks=6) == ("yes", 6)
    assert within(waiting_weeks=7) == ("no", 7)
    # A fact published before the field existed counts, but in no median and as unknown.
    assert within() == ("unknown", None)
    [first] = CONTRIBUTIONS[PlacementMadeFact](EXAMPLES[1])
    assert first.dimensions["placement"] == "first"


def test_course_outcomes_carry_levels_gained_and_weeks_in_course_as_the_value():
    [completed] = CONTRIBUTIONS[CourseOutcomeFact](EXAMPLES[-1])
    assert (completed.dimensions["level_at_start"], completed.dimensions["levels_gained"],
            completed.value) == ("A1", "2_plus", 30)
    assert [levels_gained(start, reached) for start, reached in (
        ("A2", "B1"), ("B1", "B1"), ("B1", "A2"), (None, "B1"), ("A2", None))] == [
        "1", "0", "0", "none", "none"]


def test_a_capacity_fact_is_a_snapshot_of_seats_offered_and_taken_by_course_type():
    snapshot = SNAPSHOTS[CourseCapacityFact](CAPACITY)
    measure = MEASURES[snapshot.measure]
    assert measure.snapshot
    assert dict(snapshot.dimensions) == {"course_type": "literacy"}
    assert dict(snapshot.counts) == {"offered": 24, "taken": 19}
    assert {snapshot.counted_by, *snapshot.dimensions} == {d.name for d in measure.dimensions}


def test_yes_no_attributes_become_published_values():
    [contribution] = CONTRIBUTIONS[ArrivalRecorded](EXAMPLES[0])
    assert contribution.dimensions["reads_latin_script"] == "no"
    assert contribution.dimensions["needs_childcare"] == "yes"
