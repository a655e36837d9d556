"""The incremental step (issue 21, item 3) against the full optimiser, on generated small
counties over several steps: arrivals join, seats are freed (declines, withdrawals,
discontinuations), and after each step the allocation over only the arrivals and the people a
course with a free seat fits (:func:`who_could_take_a_seat`) reaches the full allocation's
optimum in every tier and holds back the same courses, and in neither does anyone wait while a
person of lower priority, or of equal priority who joined later, holds a seat they could take —
so a freed seat goes to whoever the full rules prefer, not to the newest arrival. Half the
counties are crowded (everyone joined within four weeks, few seats and childcare places): there
people of equal priority with and without children compete, and the two may differ only
between equals (same priority, same day; equal costs). In the others the placements and their
explanations are the same wherever the objective has one optimum; an exact tie of every tier
(two people swapping two courses at the same total cost) may come out either way."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ankommen.assignment.domain.allocation import Allocation, allocate
from ankommen.assignment.domain.candidates import CandidateIndex, who_could_take_a_seat
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import needs_childcare_place
from ankommen.assignment.domain.scoring import HORIZON_DAYS, PriorityRules
from tests.assignment.builders import TODAY, random_applicant, random_seats


def placed(allocation: Allocation) -> set[tuple[str, str, bool]]:
    return {(p.pseudonym, p.course_id, p.childcare) for p in allocation.placements}


def after(courses: list, allocation: Allocation) -> list:
    """The courses' free seats once ``allocation``'s placements hold theirs."""
    taken: dict[str, list[int]] = {}
    for proposed in allocation.placements:
        counts = taken.setdefault(proposed.course_id, [0, 0])
        counts[0] += 1
        counts[1] += proposed.childcare
    return [replace(s, free_seats=s.free_seats - taken.get(s.course.course_id, [0, 0])[0],
                    free_childcare=s.free_childcare - taken.get(s.course.course_id, [0, 0])[1])
            for s in courses]


def rank(person: Applicant) -> tuple[int, int]:
    """Who goes first of two: priority, then days on the waiting list."""
    return PriorityRules().priority(person, TODAY), (TODAY - person.waiting_since).days


def tiers(allocation: Allocation, waiting: list[Applicant]) -> tuple:
    """What the optimiser minimises, in order, over everyone ``waiting`` (whoever it left out
    waits): the total wait to start, the ranks of those left waiting, the secondary parts; and
    the courses not started for their minimum."""
    seated = {p.pseudonym for p in allocation.placements}
    return (sum(p.score.wait_days for p in allocation.placements)
            + HORIZON_DAYS * (len(waiting) - len(seated)),
            sorted(rank(person) for person in waiting if person.pseudonym not in seated),
            sum(p.score.secondary for p in allocation.placements), allocation.below_minimum)


def nobody_waits_for_a_newer_person(allocation: Allocation, waiting: list[Applicant],
                                    courses: list[Seats]) -> bool:
    """No one left waiting could take the seat of someone placed who ranks lower (of the same
    priority: joined the list later) — a childcare place permitting."""
    fits = dict(zip((p.pseudonym for p in waiting),
                    CandidateIndex(waiting, courses, TODAY).fitting_course_ids(), strict=True))
    by_pseudonym = {person.pseudonym: person for person in waiting}
    left = {s.course.course_id: s for s in after(courses, allocation)}
    seated = {p.pseudonym for p in allocation.placements}
    left_waiting = [person for person in waiting if person.pseudonym not in seated]
    for proposed in allocation.placements:
        course = left[proposed.course_id]
        for person in left_waiting:
            if proposed.course_id in fits[person.pseudonym] \
                    and rank(person) > rank(by_pseudonym[proposed.pseudonym]) \
                    and (not needs_childcare_place(person, course.course)
                         or proposed.childcare or course.free_childcare > 0):
                return False
    return True


def applicant(rng: random.Random, index: int, crowded: bool) -> Applicant:
    """A random waiting person; in a crowded county everyone joined the list within four weeks
    and gave no address, so that people of the same priority (whole weeks on the list), with
    and without children to be cared for, compete for the same seats at the same cost."""
    person = random_applicant(rng, index)
    if not crowded:
        return person
    return replace(person, waiting_since=TODAY - timedelta(days=rng.randint(0, 27)),
                   latitude=None, longitude=None)


def seats(rng: random.Random, index: int, crowded: bool) -> Seats:
    """A random course; in a crowded county with few seats and childcare places left."""
    course = random_seats(rng, index)
    if not crowded:
        return course
    return replace(course, free_seats=min(course.free_seats, rng.randint(0, 3)),
                   free_childcare=min(course.free_childcare, rng.randint(0, 1)))


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32), st.booleans())
def test_incremental_steps_place_whom_and_where_the_full_run_places(seed, crowded):
    rng = random.Random(seed)
    courses = [seats(rng, j, crowded) for j in range(rng.randint(6, 14))]
    waiting = [applicant(rng, i, crowded) for i in range(rng.randint(30, 80))]
    serial = len(waiting)
    result = allocate(waiting, courses, TODAY)
    for _ in range(6):
        courses = after(courses, result)
        seated = {p.pseudonym for p in result.placements}
        waiting = [person for person in waiting if person.pseudonym not in seated]
        fits = dict(zip((p.pseudonym for p in waiting),
                        CandidateIndex(waiting, courses, TODAY).fitting_course_ids(),
                        strict=True))
        # The step's events: a few arrivals, and a few seats freed.
        arrivals = [applicant(rng, serial + k, crowded) for k in range(rng.randint(0, 10))]
        serial += len(arrivals)
        for _ in range(rng.randint(0, 5)):
            j = rng.randrange(len(courses))
            if courses[j].held:
                courses[j] = replace(courses[j], free_seats=courses[j].free_seats + 1)
        waiting += arrivals
        with_room = {s.course.course_id for s in courses if s.free_seats > 0}
        candidates = {p.pseudonym for p in arrivals} | who_could_take_a_seat(fits, with_room)
        incremental = allocate([p for p in waiting if p.pseudonym in candidates], courses,
                               TODAY)
        result = allocate(waiting, courses, TODAY)
        assert tiers(incremental, waiting) == tiers(result, waiting)
        for allocated in (incremental, result):
            assert nobody_waits_for_a_newer_person(allocated, waiting, courses)
        if not crowded:
            # The tiers above are the objective; where it has one optimum the placements are
            # the same. Where it has several (an exact tie: two people swapping two courses
            # whose waits and secondary costs sum to the same, seeds 17 and 34 of 60), the two
            # may differ by such an exchange and nothing else: whoever is placed alike in both
            # is placed for the same reasons.
            both = placed(incremental) & placed(result)
            assert {p.pseudonym: p.explanation() for p in incremental.placements
                    if (p.pseudonym, p.course_id, p.childcare) in both} == {
                p.pseudonym: p.explanation() for p in result.placements
                if (p.pseudonym, p.course_id, p.childcare) in both}
