"""B5's quality criteria (issue 21 item 5) on a hand-made allocation small enough to check by
hand: longest wait of the placed, courses at their minimum, travel minutes, schedule fit — and
the summary line that holds the optimiser against greedy."""

from __future__ import annotations

from datetime import timedelta

from ankommen.assignment.domain.allocation import Allocation, ProposedPlacement, StillWaiting
from ankommen.assignment.domain.scoring import score
from ankommen.shared.events.contracts.assignment import CourseMode, WaitlistReason
from ankommen.shared.events.contracts.vocabulary import TimeSlot
from bench.allocation_quality import (
    COURSES_AT_MINIMUM,
    LONGEST_WAIT,
    SCHEDULE_FIT,
    TRAVEL,
    left_waiting,
    quality,
    verdict,
)
from bench.b5_allocation import quality_figures
from tests.assignment.builders import TODAY, person, seats

# The builders' person lives in municipality 03358021, is available mornings, attends online.
EARLY = person("a" * 20, TODAY - timedelta(days=100))
LATE = person("b" * 20, TODAY - timedelta(days=10))
LEFT = person("c" * 20, TODAY - timedelta(days=50))
PEOPLE = [EARLY, LATE, LEFT]
# Same municipality (15 min), two held of a minimum of three, starts in 14 days.
NEAR = seats(free=18, course_id="near", capacity=20, minimum_participants=3,
             starts_on=TODAY + timedelta(days=14))
# Same district (30 min), evenings, nobody held of a minimum of five, starts in 40 days.
EVENINGS = seats(course_id="evenings", region_key="03358005", schedule=[TimeSlot.EVENINGS],
                 minimum_participants=5, starts_on=TODAY + timedelta(days=40))
ONLINE = seats(course_id="online", mode=CourseMode.ONLINE, minimum_participants=0)
COURSES = [NEAR, EVENINGS, ONLINE]


def allocation(*pairs: tuple) -> Allocation:
    placed = {who.pseudonym for who, _ in pairs}
    return Allocation(
        [ProposedPlacement(who.pseudonym, where.course.course_id, where.course.provider_id,
                           False, [], score(who, where.course, TODAY), 0) for who, where in pairs],
        [StillWaiting(p.pseudonym, WaitlistReason.COURSES_FULL) for p in PEOPLE
         if p.pseudonym not in placed])


def test_each_criterion_of_a_hand_made_allocation() -> None:
    result = allocation((EARLY, NEAR), (LATE, EVENINGS))
    assert quality(result, PEOPLE, COURSES, TODAY) == {
        LONGEST_WAIT: 100 + 14,            # on the list + to the start, among the placed
        COURSES_AT_MINIMUM: 1,             # near: 2 held + 1; evenings 1 of 5; online: empty
        TRAVEL: (15 + 30) / 2,             # per placed person
        SCHEDULE_FIT: 0.5}                 # evenings is not in the person's availability
    assert left_waiting(result, PEOPLE, TODAY) == {"left_waiting": 1,
                                                   "longest_on_list_left_waiting_days": 50}
    online = quality(allocation((LEFT, ONLINE)), PEOPLE, COURSES, TODAY)
    assert online[TRAVEL] == 0 and online[COURSES_AT_MINIMUM] == 1


def test_better_and_worse_follow_each_criterions_direction() -> None:
    assert verdict(LONGEST_WAIT, 90, 114) == "better"
    assert verdict(COURSES_AT_MINIMUM, 1, 2) == "worse"
    assert verdict(SCHEDULE_FIT, 1.0, 1.0) == "equal"


def test_summary_line_needs_two_better_and_none_worse() -> None:
    optimiser = allocation((EARLY, NEAR), (LATE, NEAR))      # nearer, and in the mornings
    greedy = allocation((EARLY, NEAR), (LATE, EVENINGS))
    *criteria, summary = quality_figures(optimiser, greedy, PEOPLE, COURSES)
    assert [c.details["verdict"] for c in criteria] == ["equal", "equal", "better", "better"]
    assert summary.what == "B5 quality: better on 2 of 4, worse on 0" and summary.met
    *_, reverse = quality_figures(greedy, optimiser, PEOPLE, COURSES)
    assert not reverse.met
