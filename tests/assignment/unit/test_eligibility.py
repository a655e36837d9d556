"""The hard rules: each says why, and generated people and courses never break them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ankommen.assignment.domain.eligibility import (
    eligible,
    seat_outcomes,
    structural_outcomes,
    structurally_eligible,
)
from ankommen.shared.events.contracts.assignment import CourseMode, CourseStatus
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel, TimeSlot
from tests.assignment.builders import applicants, course_seats, person, seats


def failed(person_, seats_) -> dict[str, str]:  # noqa: ANN001
    return {o.rule: o.reason for o in structural_outcomes(person_, seats_) + seat_outcomes(
        person_, seats_) if not o.passed}


def test_fitting_person_and_course_pass_every_rule_with_a_reason():
    outcomes = structural_outcomes(person(), seats())
    assert all(outcome.passed and outcome.reason for outcome in outcomes)
    assert eligible(person(), seats())


def test_person_needing_literacy_only_fits_literacy_courses():
    learner = person(reads_latin_script=False, literate_other_script=False)
    assert failed(learner, seats())["course_type"].startswith("literacy need")
    assert eligible(learner, seats(course_type=CourseType.LITERACY, entry_level=GermanLevel.A0))
    assert not eligible(learner, seats(course_type=CourseType.SECOND_SCRIPT))
    second_script = person(reads_latin_script=False, literate_other_script=True)
    assert eligible(second_script, seats(course_type=CourseType.SECOND_SCRIPT))


def test_reader_of_latin_script_is_not_put_in_a_literacy_course():
    assert "course_type" in failed(person(), seats(course_type=CourseType.LITERACY))


def test_youth_course_only_under_27():
    assert eligible(person(age_years=26), seats(course_type=CourseType.YOUTH))
    assert failed(person(age_years=27), seats(course_type=CourseType.YOUTH)) == {
        "course_type": "youth course: only under 27"}


def test_parents_and_women_courses_need_children_or_a_woman():
    assert eligible(person(), seats(course_type=CourseType.PARENTS))
    assert not eligible(person(children_needing_care=0, childcare_age_bands=[]),
                        seats(course_type=CourseType.PARENTS))
    assert eligible(person(gender="female"), seats(course_type=CourseType.WOMEN))
    assert not eligible(person(gender="male"), seats(course_type=CourseType.WOMEN))


def test_intensive_course_only_for_fast_learners():
    slow = person(schooling_years=6, german_level="A0")
    intensive = {"course_type": CourseType.INTENSIVE, "entry_level": GermanLevel.A0}
    assert "course_type" in failed(slow, seats(**intensive))
    assert eligible(person(schooling_years=13, german_level="A0"), seats(**intensive))


def test_entry_level_must_fit_the_persons_level():
    assert "entry_level" in failed(person(german_level="B1"), seats())
    assert "entry_level" in failed(person(german_level="A0"), seats())
    assert eligible(person(german_level="A2"), seats())


def test_course_times_must_all_be_available():
    course_times = [TimeSlot.MORNINGS, TimeSlot.EVENINGS]
    assert failed(person(), seats(schedule=course_times)) == {"schedule": "not available: "
                                                                           "evenings"}


def test_reachable_in_district_online_or_within_travel_time():
    far = seats(region_key="09162000", latitude=48.1, longitude=11.6)
    assert failed(person(can_attend_online=False), far)["reachable"].startswith("other district")
    assert eligible(person(can_attend_online=True), seats(region_key="09162000",
                                                         mode=CourseMode.ONLINE))
    assert "reachable" in failed(person(can_attend_online=False),
                                 seats(mode=CourseMode.ONLINE))


def test_childcare_place_needed_for_in_person_course_with_children():
    parent = person(can_attend_online=False)
    assert "childcare" in failed(parent, seats(childcare_places=0))
    assert failed(parent, seats(childcare=0)) == {"childcare_capacity":
                                                  "childcare places are taken"}


def test_full_or_closed_course_takes_nobody():
    assert failed(person(), seats(free=0)) == {"capacity": "course is full"}
    assert "course_open" in failed(person(), seats(status=CourseStatus.CANCELLED))


@settings(max_examples=300, deadline=None)
@given(applicants(), course_seats())
def test_generated_eligible_pairs_satisfy_every_rule_by_its_definition(applicant, offer):
    if not eligible(applicant, offer):
        assert failed(applicant, offer)
        return
    survey, built = applicant.survey, offer.course
    assert offer.free_seats > 0 and built.status in (CourseStatus.OPEN, CourseStatus.PLANNED,
                                                    CourseStatus.RUNNING)
    assert set(built.schedule) <= set(survey.availability)
    literacy = built.course_type in (CourseType.LITERACY, CourseType.SECOND_SCRIPT)
    if built.course_type not in (CourseType.LOCAL, CourseType.FIRST_ORIENTATION):
        assert literacy == survey.needs_literacy_course
    if built.course_type is CourseType.YOUTH:
        assert survey.age_years < 27
    if built.mode is CourseMode.ONLINE:
        assert survey.can_attend_online


@settings(max_examples=200, deadline=None)
@given(applicants(), course_seats(), st.integers(0, 3))
def test_more_free_seats_never_make_a_person_ineligible(applicant, offer, extra):
    from dataclasses import replace
    if eligible(applicant, offer):
        assert eligible(applicant, replace(offer, free_seats=offer.free_seats + extra))
    assert structurally_eligible(applicant, offer) == structurally_eligible(
        applicant, replace(offer, free_seats=0))
