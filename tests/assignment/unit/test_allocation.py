"""The optimiser on generated instances: hard rules, capacities, reasons, and a mean wait no
worse than first come, first served."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankommen.assignment.domain.allocation import allocate
from ankommen.assignment.domain.eligibility import eligible, structurally_eligible
from ankommen.assignment.domain.greedy import allocate_first_come_first_served
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.shared.events.contracts.assignment import WaitlistReason
from tests.assignment.builders import TODAY, person, random_applicant, random_seats, seats


@st.composite
def instances(draw: st.DrawFn) -> tuple[list, list]:
    """Hypothesis draws the seed and the sizes; the instance itself is built from the seed
    (hundreds of people are more than hypothesis' own data generation is made for)."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    people = [random_applicant(rng, i) for i in range(draw(st.integers(500, 560)))]
    courses = [random_seats(rng, j) for j in range(draw(st.integers(50, 60)))]
    return people, courses


def mean(values) -> float:  # noqa: ANN001
    values = list(values)
    return sum(values) / len(values)


@settings(max_examples=4, deadline=None)
@given(instances())
def test_generated_instance_keeps_every_rule_and_capacity_and_beats_greedy_wait(instance):
    people, courses = instance
    by_person = {p.pseudonym: p for p in people}
    by_course = {s.course.course_id: s for s in courses}
    result = allocate(people, courses, TODAY)

    placed = Counter(p.course_id for p in result.placements)
    childcare = Counter(p.course_id for p in result.placements if p.childcare)
    for placement in result.placements:
        assert eligible(by_person[placement.pseudonym], by_course[placement.course_id])
        assert all(rule.passed for rule in placement.rules)
        assert placement.explanation()["score"]["wait_days"] >= 0
    for course_id, count in placed.items():
        assert count <= by_course[course_id].free_seats
        assert childcare[course_id] <= by_course[course_id].free_childcare
        assert not by_course[course_id].short_of_minimum(TODAY, count), "started below minimum"
    assert not placed.keys() & result.below_minimum
    for course_id in result.below_minimum:
        assert by_course[course_id].short_of_minimum(TODAY, 0)
    assert len(result.placements) + len(result.waiting) == len(people)
    assert len({p.pseudonym for p in result.placements}) == len(result.placements)

    remaining = {course_id: (s.free_seats - placed[course_id],
                             s.free_childcare - childcare[course_id])
                 for course_id, s in by_course.items() if course_id not in result.below_minimum}
    for waiting in result.waiting:
        assert waiting.reason in WaitlistReason
        applicant = by_person[waiting.pseudonym]
        for course_id, (free, free_childcare) in remaining.items():
            left = by_course[course_id].__class__(by_course[course_id].course, free,
                                                  free_childcare)
            assert not eligible(applicant, left), "eligible for a free seat but left waiting"
        fits = {s.course.course_id for s in courses if structurally_eligible(applicant, s)}
        assert (waiting.reason is WaitlistReason.COURSES_FULL) == bool(fits - result.below_minimum)
        assert (waiting.reason is WaitlistReason.COURSE_BELOW_MINIMUM) == (
            bool(fits) and fits <= result.below_minimum)

    greedy = allocate_first_come_first_served(people, courses, TODAY)
    optimiser_wait = mean(result.wait_of(people, TODAY).values())
    greedy_wait = mean(greedy.wait_of(people, TODAY).values())
    print(f"\nmean wait (days): optimiser {optimiser_wait:.2f}, greedy FCFS {greedy_wait:.2f}; "
          f"placed {len(result.placements)} vs {len(greedy.placements)}; below minimum "
          f"{len(result.below_minimum)} vs {len(greedy.below_minimum)} courses")
    assert optimiser_wait <= greedy_wait


def test_last_free_seat_goes_to_the_longest_waiting_eligible_person():
    newcomer = person("newcomer-aaaaaaaaaaaa", TODAY - timedelta(days=3))
    long_waiting = person("longwaiting-aaaaaaaaa", TODAY - timedelta(days=90))
    result = allocate([newcomer, long_waiting], [seats(free=1)], TODAY)
    assert [p.pseudonym for p in result.placements] == [long_waiting.pseudonym]
    assert result.waiting[0].reason is WaitlistReason.COURSES_FULL


@pytest.mark.parametrize("older_needs_childcare", [True, False])
@pytest.mark.parametrize("older_first", [True, False])
def test_of_equal_priority_the_longer_waiting_takes_the_seat_whatever_their_childcare(
        older_needs_childcare, older_first):
    """Priority counts whole weeks: two people 16 and 20 days on the list have the same. The
    seat still goes to the one who waited longer, also when only one of them needs a childcare
    place (and so belongs to another group of the flow) and the newer one would fit the course
    a little better (travel, pace: the last tier) — issue 21, item 3."""
    with_children = {"children_needing_care": 1, "childcare_age_bands": ["3_to_5"]}
    older = person("a-older-aaaaaaaaaaaa" if older_first else "z-older-aaaaaaaaaaaa",
                   TODAY - timedelta(days=20), german_level="A2",
                   **(with_children if older_needs_childcare else {}))
    newer = person("m-newer-aaaaaaaaaaaa", TODAY - timedelta(days=16), german_level="A1",
                   **({} if older_needs_childcare else with_children))
    rules = PriorityRules()
    assert rules.priority(older, TODAY) == rules.priority(newer, TODAY)
    for people in ([older, newer], [newer, older]):
        result = allocate(people, [seats(free=1, childcare=1)], TODAY, rules)
        assert [p.pseudonym for p in result.placements] == [older.pseudonym]
        assert result.placements[0].score.pace > 0, "the newer one fits better"


def test_obligation_outranks_a_shorter_wait_when_configured():
    obliged = person("obliged-aaaaaaaaaaaaa", TODAY - timedelta(days=10))
    entitled = person("entitled-aaaaaaaaaaaa", TODAY - timedelta(days=40),
                      course_entitlement="entitled", obliged_by=None)
    rules = PriorityRules(per_waiting_week=1, obligation_bonus=20)
    result = allocate([obliged, entitled], [seats(free=1)], TODAY, rules)
    assert result.placements[0].pseudonym == obliged.pseudonym
    waiting_first = PriorityRules(per_waiting_week=1, obligation_bonus=0)
    result = allocate([obliged, entitled], [seats(free=1)], TODAY, waiting_first)
    assert result.placements[0].pseudonym == entitled.pseudonym


def test_earlier_course_is_preferred_and_explained():
    late = seats(course_id="late", starts_on=TODAY + timedelta(days=60))
    early = seats(course_id="early", starts_on=TODAY + timedelta(days=7))
    placement = allocate([person()], [late, early], TODAY).placements[0]
    assert placement.course_id == "early"
    explanation = placement.explanation()
    assert explanation["score"]["wait_days"] == 7
    assert {rule["rule"] for rule in explanation["rules"]} >= {
        "course_type", "entry_level", "schedule", "reachable", "childcare", "capacity"}


def test_nobody_fits_gives_no_fitting_course_with_the_failed_rules():
    result = allocate([person(german_level="C1")], [seats()], TODAY)
    assert result.waiting[0].reason is WaitlistReason.NO_FITTING_COURSE
    assert "entry_level" in result.waiting[0].detail


def test_course_that_would_stay_below_its_minimum_is_not_started_and_its_people_wait():
    small = seats(course_id="small", minimum_participants=3)
    people = [person(f"waiting-{i}-aaaaaaaaaaaa") for i in range(2)]
    result = allocate(people, [small], TODAY)
    assert result.placements == []
    assert result.below_minimum == {"small"}
    assert [w.reason for w in result.waiting] == [WaitlistReason.COURSE_BELOW_MINIMUM] * 2


def test_course_reaching_its_minimum_gets_its_offers():
    small = seats(course_id="small", minimum_participants=3)
    people = [person(f"waiting-{i}-aaaaaaaaaaaa") for i in range(3)]
    result = allocate(people, [small], TODAY)
    assert len(result.placements) == 3
    assert result.below_minimum == frozenset()


def test_seats_already_held_count_towards_the_minimum():
    held_two = seats(course_id="small", minimum_participants=3, capacity=20, free=18)
    result = allocate([person()], [held_two], TODAY)
    assert [p.course_id for p in result.placements] == ["small"]


def test_started_course_takes_people_below_its_minimum():
    started = seats(course_id="started", minimum_participants=3, starts_on=TODAY)
    result = allocate([person()], [started], TODAY)
    assert [p.course_id for p in result.placements] == ["started"]


def test_people_move_to_a_running_course_when_the_earlier_one_stays_below_minimum():
    early = seats(course_id="early", minimum_participants=5, starts_on=TODAY + timedelta(days=7))
    late = seats(course_id="late", minimum_participants=0, starts_on=TODAY + timedelta(days=60))
    people = [person(f"waiting-{i}-aaaaaaaaaaaa") for i in range(2)]
    result = allocate(people, [early, late], TODAY)
    assert {p.course_id for p in result.placements} == {"late"}
    assert len(result.placements) == 2
    assert result.below_minimum == {"early"}
