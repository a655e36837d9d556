"""The incremental step (issue 21, item 3) against the full optimiser, on generated small
counties over several steps: arrivals join, seats are freed (declines, withdrawals,
discontinuations), and after each step the allocation over only the arrivals and the people a
course with a free seat fits (:func:`who_could_take_a_seat`) places exactly whom and where the
full allocation over everyone waiting places — so a freed seat goes to whoever the full rules
prefer (the longest waiting fitting person by priority), not to the newest arrival."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from ankommen.assignment.domain.allocation import Allocation, allocate
from ankommen.assignment.domain.candidates import CandidateIndex, who_could_take_a_seat
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


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32))
def test_incremental_steps_place_whom_and_where_the_full_run_places(seed):
    rng = random.Random(seed)
    courses = [random_seats(rng, j) for j in range(rng.randint(6, 14))]
    waiting = [random_applicant(rng, i) for i in range(rng.randint(30, 80))]
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
        arrivals = [random_applicant(rng, serial + k) for k in range(rng.randint(0, 10))]
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
        assert placed(incremental) == placed(result)
        assert {p.pseudonym: p.explanation() for p in incremental.placements} == {
            p.pseudonym: p.explanation() for p in result.placements}
