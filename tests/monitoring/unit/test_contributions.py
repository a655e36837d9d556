"""Every fact type monitoring understands adds to cells of its measure, over published
dimensions and values only."""

from __future__ import annotations

import secrets

import pytest

from ankommen.monitoring.domain.contributions import CONTRIBUTIONS
from ankommen.monitoring.domain.measures import MEASURES
from ankommen.shared.events.contracts.assignment import PlacementMadeFact, WaitlistedFact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact

PLACE = {"record_key": secrets.token_hex(16), "month": "2026-11", "district": "03358"}
EXAMPLES = [
    ArrivalRecorded(**PLACE, german_level="A0", age_band="18_to_26", gender="male",
                    reads_latin_script=False, schooling_band="1_to_6", needs_childcare=True,
                    residence_status="asylum_seeker"),
    PlacementMadeFact(**PLACE, course_type="literacy", waiting_days="31-90"),
    WaitlistedFact(**PLACE, reason="courses_full", waiting_days="0-30"),
    CourseOutcomeFact(**PLACE, outcome="discontinued", discontinuation_reason="childcare",
                      attendance_band="below_50", exam_outcome="not_taken",
                      course_type="parents", weeks_in_course=12),
    ExamResultFact(**PLACE, exam="dtz", outcome="passed", level_reached="B1",
                   course_type="general_integration"),
]


def test_every_fact_type_with_contributions_has_an_example_here():
    assert {type(fact) for fact in EXAMPLES} == set(CONTRIBUTIONS)


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


def test_yes_no_attributes_become_published_values():
    [contribution] = CONTRIBUTIONS[ArrivalRecorded](EXAMPLES[0])
    assert contribution.dimensions["reads_latin_script"] == "no"
    assert contribution.dimensions["needs_childcare"] == "yes"
