"""Allocating waiting people to free seats (*Platzvergabe*) as one batch optimisation.

A minimum-cost flow over source → person → course → sink, where each person may instead flow
straight to the sink ("stays waiting") at a cost above any seat. Courses have their free seats
as capacity; people who need a childcare place pass through the course's childcare node, whose
capacity is the free childcare places — so both limits hold at once.

Costs are lexicographic (see :mod:`scoring`): the weight of each tier is larger than everything
the tiers below can add up to across the whole instance, so the optimum first minimises the total
wait to start (staying unplaced counts as the full horizon), then serves those with the higher
priority, then minimises travel, pace misfit, provider changes and rotation. Because a greedy
first-come-first-served allocation is one feasible flow, the optimum's total wait can never be
larger than the greedy one's.

Minimum participants: a course that has not started and would stay below its
``minimum_participants`` (placements already held plus this run's) is not started by the run.
After each solve, every such course that the solution does not lift to its minimum is closed
(no seats) and the rest is solved again, until every course that gets offers reaches its
minimum. Closing only ever removes seats, so this ends after at most one round per course. The
people whose only fitting courses were closed wait with ``course_below_minimum``; the closed
courses are listed in :attr:`Allocation.below_minimum`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from ortools.graph.python import min_cost_flow

from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import (
    RuleOutcome,
    needs_childcare_place,
    structural_outcomes,
)
from ankommen.assignment.domain.scoring import (
    HORIZON_DAYS,
    PRIORITY_MAX,
    SECONDARY_MAX,
    PriorityRules,
    Score,
    score,
)
from ankommen.shared.events.contracts.assignment import WaitlistReason


class AllocationFailed(RuntimeError):
    """The solver did not find an optimum (it always should: staying unplaced is feasible)."""


@dataclass(frozen=True)
class ProposedPlacement:
    pseudonym: str
    course_id: str
    provider_id: str
    childcare: bool
    rules: list[RuleOutcome]
    score: Score
    priority: int

    def explanation(self) -> dict:
        """What a coordinator is shown: every rule passed and every part of the score."""
        return {"rules": [{"rule": r.rule, "reason": r.reason} for r in self.rules],
                "score": self.score.as_dict(), "priority": self.priority}


@dataclass(frozen=True)
class StillWaiting:
    pseudonym: str
    reason: WaitlistReason
    #: For no fitting course: the rules that failed most often across the catalogue.
    detail: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Allocation:
    placements: list[ProposedPlacement]
    waiting: list[StillWaiting]
    #: Courses not started by this run because they would stay below their minimum.
    below_minimum: frozenset[str] = frozenset()

    def wait_of(self, people: Sequence[Applicant], today: date) -> dict[str, int]:
        """Days each person waits from joining the list to their course start (or horizon)."""
        starts = {p.pseudonym: p.score.wait_days for p in self.placements}
        return {person.pseudonym: (today - person.waiting_since).days
                + starts.get(person.pseudonym, HORIZON_DAYS) for person in people}


@dataclass(frozen=True)
class _Candidate:
    person: int
    course: int
    childcare: bool
    rules: list[RuleOutcome]
    score: Score


def _rotation_shares(provider_load: dict[str, int]) -> dict[str, float]:
    total = sum(provider_load.values())
    return {provider: load / total for provider, load in provider_load.items()} if total else {}


def _candidates(people: Sequence[Applicant], courses: Sequence[Seats], today: date,
                provider_load: dict[str, int]) -> tuple[list[_Candidate], list[Counter]]:
    shares = _rotation_shares(provider_load)
    candidates, failures = [], [Counter() for _ in people]
    for i, person in enumerate(people):
        for j, seats in enumerate(courses):
            outcomes = structural_outcomes(person, seats)
            failed = [outcome for outcome in outcomes if not outcome.passed]
            if failed:
                failures[i].update(outcome.rule for outcome in failed)
                continue
            course = seats.course
            candidates.append(_Candidate(i, j, needs_childcare_place(person, course), outcomes,
                                         score(person, course, today,
                                               shares.get(course.provider_id, 0.0))))
    return candidates, failures


def allocate(people: Sequence[Applicant], courses: Sequence[Seats], today: date,
             priority: PriorityRules = PriorityRules(),
             provider_load: dict[str, int] | None = None) -> Allocation:
    """The optimal allocation of ``people`` to the free seats of ``courses``, starting no
    course below its minimum number of participants."""
    candidates, failures = _candidates(people, courses, today, provider_load or {})
    priorities = [priority.priority(person, today) for person in people]
    closed: set[int] = set()
    while True:
        chosen = _solve(len(people), courses, candidates, priorities, closed)
        taken = Counter(candidate.course for candidate in chosen)
        short = {j for j, seats in enumerate(courses)
                 if j not in closed and seats.short_of_minimum(today, taken[j])}
        if not short:
            break
        closed |= short
    placements, placed = [], set()
    for candidate in chosen:
        person, seats = people[candidate.person], courses[candidate.course]
        placed.add(candidate.person)
        placements.append(ProposedPlacement(
            person.pseudonym, seats.course.course_id, seats.course.provider_id,
            candidate.childcare, candidate.rules + _seat_rules(candidate.childcare),
            candidate.score, priorities[candidate.person]))
    running, below = set(), set()
    for candidate in candidates:
        (below if candidate.course in closed else running).add(candidate.person)
    waiting = [_still_waiting(people[i].pseudonym, i in running, i in below, failures[i])
               for i in range(len(people)) if i not in placed]
    return Allocation(placements, waiting,
                      frozenset(courses[j].course.course_id for j in closed))


def _solve(n: int, courses: Sequence[Seats], candidates: Sequence[_Candidate],
           priorities: Sequence[int], closed: set[int]) -> list[_Candidate]:
    """The candidates the minimum-cost flow chooses, with the ``closed`` courses seatless."""
    m = len(courses)
    priority_weight = n * SECONDARY_MAX + 1
    wait_weight = n * (PRIORITY_MAX * priority_weight + SECONDARY_MAX) + 1
    source, sink = 0, 1
    person_node = 2
    course_node = 2 + n
    childcare_node = 2 + n + m
    tails, heads, capacities, costs = [], [], [], []

    def arc(tail: int, head: int, capacity: int, cost: int) -> None:
        tails.append(tail)
        heads.append(head)
        capacities.append(capacity)
        costs.append(cost)

    for i in range(n):
        arc(source, person_node + i, 1, 0)
        # Staying unplaced costs the whole horizon, and more for those with priority.
        arc(person_node + i, sink, 1,
            HORIZON_DAYS * wait_weight + priorities[i] * priority_weight)
    first_candidate_arc = len(tails)
    for candidate in candidates:
        head = (childcare_node if candidate.childcare else course_node) + candidate.course
        arc(person_node + candidate.person, head, 1,
            candidate.score.wait_days * wait_weight + candidate.score.secondary)
    for j, seats in enumerate(courses):
        is_open = j not in closed
        arc(childcare_node + j, course_node + j, max(0, seats.free_childcare) * is_open, 0)
        arc(course_node + j, sink, max(0, seats.free_seats) * is_open, 0)

    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64),
        np.array(capacities, dtype=np.int64), np.array(costs, dtype=np.int64))
    supplies = np.zeros(2 + n + 2 * m, dtype=np.int64)
    supplies[source], supplies[sink] = n, -n
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int64), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AllocationFailed(f"min-cost flow ended with status {status}")
    flows = solver.flows(arcs[first_candidate_arc:first_candidate_arc + len(candidates)])
    return [candidate for candidate, flow in zip(candidates, flows, strict=True) if flow]


def _seat_rules(childcare: bool) -> list[RuleOutcome]:
    rules = [RuleOutcome("capacity", True, "a seat was free")]
    if childcare:
        rules.append(RuleOutcome("childcare_capacity", True, "a childcare place was free"))
    return rules


def _still_waiting(pseudonym: str, fits_running: bool, fits_below_minimum: bool,
                   failures: Counter) -> StillWaiting:
    if fits_running:
        return StillWaiting(pseudonym, WaitlistReason.COURSES_FULL)
    if fits_below_minimum:
        return StillWaiting(pseudonym, WaitlistReason.COURSE_BELOW_MINIMUM)
    return StillWaiting(pseudonym, WaitlistReason.NO_FITTING_COURSE,
                        [rule for rule, _ in failures.most_common(3)])
