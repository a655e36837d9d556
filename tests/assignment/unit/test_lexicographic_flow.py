"""The grouped, tier-by-tier flow against a plain one: on instances small enough for one flow
with one arc per person and course and lexicographic weights that fit into int64, both reach
the same optimum in every tier (total wait, priority left waiting, their days on the list,
secondary parts); and the candidate index finds exactly the pairs the rules allow."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from ortools.graph.python import min_cost_flow

from ankommen.assignment.domain.allocation import allocate
from ankommen.assignment.domain.candidates import CandidateIndex
from ankommen.assignment.domain.eligibility import (
    needs_childcare_place,
    structural_outcomes,
    structurally_eligible,
)
from ankommen.assignment.domain.scoring import HORIZON_DAYS, PriorityRules, score
from tests.assignment.builders import TODAY, random_applicant, random_seats


def _instance(seed: int, people: int, courses: int) -> tuple[list, list]:
    rng = random.Random(seed)
    applicants = [random_applicant(rng, i) for i in range(people)]
    seats = [random_seats(rng, j) for j in range(courses)]
    # No minimum sizes: the plain flow below has no closing rounds.
    return applicants, [replace(s, course=s.course.model_copy(update={"minimum_participants": 0}))
                        for s in seats]


def _plain_optimum(people: list, courses: list, priorities: list[int]
                   ) -> tuple[int, int, int, int]:
    """One arc per eligible pair (rules evaluated pair by pair), weights from the tier bounds;
    of equal priority, whoever waited more days goes first (tier 2b)."""
    pairs = [(i, j, needs_childcare_place(p, s.course), score(p, s.course, TODAY))
             for i, p in enumerate(people) for j, s in enumerate(courses)
             if structurally_eligible(p, s)]
    n, m = len(people), len(courses)
    secondary_weight_range = sum(max([sc.secondary for pi, _, _, sc in pairs if pi == i],
                                     default=0) for i in range(n)) + 1
    days = [(TODAY - p.waiting_since).days for p in people]
    ranks = [priority * (max(days) + 1) + waited for priority, waited in zip(priorities, days,
                                                                            strict=True)]
    priority_weight = secondary_weight_range
    wait_weight = (sum(ranks) + 1) * priority_weight
    tails, heads, caps, costs = [], [], [], []
    for i in range(n):
        tails += [0, 2 + i]
        heads += [2 + i, 1]
        caps += [1, 1]
        costs += [0, HORIZON_DAYS * wait_weight + ranks[i] * priority_weight]
    first_pair = len(tails)
    for i, j, childcare, sc in pairs:
        tails.append(2 + i)
        heads.append(2 + n + m + j if childcare else 2 + n + j)
        caps.append(1)
        costs.append(sc.wait_days * wait_weight + sc.secondary)
    for j, s in enumerate(courses):
        tails += [2 + n + m + j, 2 + n + j]
        heads += [2 + n + j, 1]
        caps += [max(0, s.free_childcare), max(0, s.free_seats)]
        costs += [0, 0]
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs))
    supplies = np.zeros(2 + n + 2 * m, dtype=np.int64)
    supplies[0], supplies[1] = n, -n
    solver.set_nodes_supplies(np.arange(len(supplies)), supplies)
    assert solver.solve() == solver.OPTIMAL
    flows = solver.flows(arcs[first_pair:first_pair + len(pairs)])
    chosen = [pair for pair, flow in zip(pairs, flows, strict=True) if flow]
    placed = {i for i, _, _, _ in chosen}
    return (sum(sc.wait_days for *_, sc in chosen) + HORIZON_DAYS * (n - len(placed)),
            sum(priorities[i] for i in range(n) if i not in placed),
            sum(days[i] for i in range(n) if i not in placed),
            sum(sc.secondary for *_, sc in chosen))


@pytest.mark.parametrize("seed", range(6))
def test_grouped_tiered_flow_reaches_the_plain_lexicographic_optimum(seed):
    people, courses = _instance(seed, 120, 15)
    rules = PriorityRules()
    priorities = [rules.priority(p, TODAY) for p in people]
    result = allocate(people, courses, TODAY, rules)
    by_pseudonym = {p.pseudonym: i for i, p in enumerate(people)}
    placed = {by_pseudonym[p.pseudonym] for p in result.placements}
    tiers = (sum(p.score.wait_days for p in result.placements)
             + HORIZON_DAYS * (len(people) - len(placed)),
             sum(priorities[i] for i in range(len(people)) if i not in placed),
             sum((TODAY - people[i].waiting_since).days for i in range(len(people))
                 if i not in placed),
             sum(p.score.secondary for p in result.placements))
    assert tiers == _plain_optimum(people, courses, priorities)


def test_candidate_index_finds_exactly_the_pairs_the_rules_allow():
    people, courses = _instance(99, 300, 40)
    index = CandidateIndex(people, courses, TODAY)
    for i, person in enumerate(people):
        fitting = set(index.profile_of[i].courses.tolist())
        assert fitting == {j for j, s in enumerate(courses) if structurally_eligible(person, s)}
        for j in fitting:
            assert index.score(i, j) == score(person, courses[j].course, TODAY)
            assert index.rules(i, j) == structural_outcomes(person, courses[j])
