"""Allocating waiting people to free seats (*Platzvergabe*) as one batch optimisation.

A minimum-cost flow over source → person → course → sink, where each person may instead flow
straight to the sink ("stays waiting") at a cost above any seat. Courses have their free seats
as capacity; people who need a childcare place pass through the course's childcare node, whose
capacity is the free childcare places — so both limits hold at once.

People who fit the same courses at the same costs (a :class:`~candidates.Profile`) are
interchangeable except for their priority and time on the list, so the flow carries them as one
group (:mod:`seat_flow`): tens of thousands of people become a few thousand nodes. Within a
group the members with the highest priority — then the longest waiting — get the seats, the
earliest start going first.

Costs are lexicographic (see :mod:`scoring`): the optimum first minimises the total wait to
start (staying unplaced counts as the full horizon), then serves those with the higher
priority and, of equal priority, those who joined the waiting list earlier, whichever group
they belong to, then minimises travel, pace misfit, provider changes and rotation. (Priority
counts whole weeks: without the days, a person who needs a childcare place and one who does
not, of the same priority, were a tie that the solver — or a better travel time — broke
either way, so a newer person could take the seat of an older one, and the incremental step
and the full run could differ: issue 21, item 3.) :mod:`seat_flow`
solves the tiers in turn so that the costs stay small at any size. Because a greedy
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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ankommen.assignment.domain.candidates import CandidateIndex, Profile
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import RuleOutcome
from ankommen.assignment.domain.scoring import HORIZON_DAYS, PriorityRules, Score
from ankommen.assignment.domain.seat_flow import (
    AllocationFailed,
    Courses,
    Group,
    GroupFlow,
    lexicographic_flow,
)
from ankommen.shared.events.contracts.assignment import WaitlistReason

__all__ = ["Allocation", "AllocationFailed", "ProposedPlacement", "StillWaiting", "allocate"]

@dataclass(frozen=True)
class ProposedPlacement:
    pseudonym: str
    course_id: str
    provider_id: str
    childcare: bool
    rules: list[RuleOutcome]
    score: Score
    priority: int

    def explanation(self) -> dict[str, object]:
        """What a coordinator is shown: every rule passed and every part of the score."""
        return {"rules": [{"rule": r.rule, "reason": r.reason} for r in self.rules],
                "score": self.score.as_dict(), "priority": self.priority}


@dataclass(frozen=True)
class StillWaiting:
    pseudonym: str
    reason: WaitlistReason
    #: For no fitting course: the rules that failed most often across the catalogue.
    detail: list[str] = field(default_factory=list[str])


@dataclass(frozen=True)
class Allocation:
    placements: list[ProposedPlacement]
    waiting: list[StillWaiting]
    #: Courses not started by this run because they would stay below their minimum.
    below_minimum: frozenset[str] = frozenset()
    #: The run's candidate index (who fits which course), kept for the next incremental step.
    index: CandidateIndex | None = field(default=None, compare=False, repr=False)

    def wait_of(self, people: Sequence[Applicant], today: date) -> dict[str, int]:
        """Days each person waits from joining the list to their course start (or horizon)."""
        starts = {p.pseudonym: p.score.wait_days for p in self.placements}
        return {person.pseudonym: (today - person.waiting_since).days
                + starts.get(person.pseudonym, HORIZON_DAYS) for person in people}


def allocate(people: Sequence[Applicant], courses: Sequence[Seats], today: date,
             priority: PriorityRules = PriorityRules(),
             provider_load: dict[str, int] | None = None) -> Allocation:
    """The optimal allocation of ``people`` to the free seats of ``courses``, starting no
    course below its minimum number of participants."""
    index = CandidateIndex(people, courses, today, provider_load)
    priorities = [priority.priority(person, today) for person in people]
    ranks = [(priorities[i], max(0, (today - person.waiting_since).days))
             for i, person in enumerate(people)]
    profiles = [profile for profile in index.profiles if len(profile.courses)]
    groups = [_group(profile, ranks) for profile in profiles]
    bundles = [(bundle.courses, bundle.childcare) for bundle in index.bundles]
    seats = np.array([max(0, s.free_seats) for s in courses], dtype=np.int64)
    childcare = np.array([max(0, s.free_childcare) for s in courses], dtype=np.int64)
    closed = np.zeros(len(courses), dtype=bool)
    short_possible = np.array([s.short_of_minimum(today, 0) for s in courses], dtype=bool)
    while True:
        flow = lexicographic_flow(groups, Courses(np.where(closed, 0, seats),
                                                  np.where(closed, 0, childcare), index.wait,
                                                  bundles))
        taken = np.zeros(len(courses), dtype=np.int64)
        for bundle, sent in zip(index.bundles, flow.bundled, strict=True):
            np.add.at(taken, bundle.courses, sent)
        short = [j for j in np.flatnonzero(short_possible & ~closed).tolist()
                 if courses[j].short_of_minimum(today, int(taken[j]))]
        if not short:
            break
        closed[short] = True
    placements: list[ProposedPlacement] = []
    placed_people: set[int] = set()
    for person, course, childcare_needed in _seat(index, profiles, flow, ranks):
        seats_of = courses[course]
        placed_people.add(person)
        placements.append(ProposedPlacement(
            people[person].pseudonym, seats_of.course.course_id, seats_of.course.provider_id,
            childcare_needed, index.rules(person, course) + _seat_rules(childcare_needed),
            index.score(person, course), ranks[person][0]))
    waiting_people = [_still_waiting(index, i, closed) for i in range(len(people))
                      if i not in placed_people]
    return Allocation(placements, waiting_people,
                      frozenset(courses[j].course.course_id
                                for j in np.flatnonzero(closed).tolist()),
                      index)


def _group(profile: Profile, ranks: Sequence[tuple[int, int]]) -> Group:
    """The profile's members as one group of the flow, counted per rank (priority, days on the
    waiting list)."""
    values, counts = np.unique(np.array([ranks[i] for i in profile.members], dtype=np.int64),
                               axis=0, return_counts=True)
    return Group(profile.bundles, profile.bundle_secondary, values[:, 0], values[:, 1], counts)


def _seat(index: CandidateIndex, profiles: Sequence[Profile], flow: GroupFlow,
          ranks: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Who takes which seat. The flow says, per group, how many of each rank stay waiting (the
    lowest priority; of equal priority those who joined the list last) and how many go to each
    bundle, and per bundle how many go to each course. Every way of matching these has the same
    cost, so the seats go by priority, then by time on the list: the group's first people to
    the bundle with the earliest start, and within a bundle the first people to the earliest
    course. Of the same rank in one group, the pseudonym decides (as in every run)."""
    people = index.people

    def first(i: int) -> tuple[int, date, str]:
        return -ranks[i][0], people[i].waiting_since, people[i].pseudonym

    entering: dict[int, list[int]] = {}
    for profile, sent, waiting in zip(profiles, flow.placed, flow.waiting, strict=True):
        # The same order of ranks as :func:`_group`'s.
        left = dict(zip(sorted({ranks[i] for i in profile.members}), waiting.tolist(),
                        strict=True))
        seated: list[int] = []
        for i in sorted(profile.members, key=first, reverse=True):
            if left[ranks[i]]:
                left[ranks[i]] -= 1
            else:
                seated.append(i)
        seated.reverse()
        earliest = sorted(range(len(profile.bundles)),
                          key=lambda k: int(index.wait[index.bundles[int(profile.bundles[k])]
                                                       .courses].min()))
        position = 0
        for k in earliest:
            count = int(sent[k])
            entering.setdefault(int(profile.bundles[k]), []).extend(
                seated[position:position + count])
            position += count
    result: list[tuple[int, int, bool]] = []
    for number, members in entering.items():
        bundle = index.bundles[number]
        order = np.lexsort((bundle.courses, index.wait[bundle.courses]))
        courses = [int(bundle.courses[k]) for k in order.tolist()
                   for _ in range(int(flow.bundled[number][k]))]
        result.extend((person, course, bundle.childcare)
                      for person, course in zip(sorted(members, key=first), courses,
                                                strict=True))
    return result


def _seat_rules(childcare: bool) -> list[RuleOutcome]:
    rules = [RuleOutcome("capacity", True, "a seat was free")]
    if childcare:
        rules.append(RuleOutcome("childcare_capacity", True, "a childcare place was free"))
    return rules


def _still_waiting(index: CandidateIndex, person: int, closed: np.ndarray) -> StillWaiting:
    pseudonym = index.people[person].pseudonym
    fitting = index.profile_of[person].courses
    if (~closed[fitting]).any():
        return StillWaiting(pseudonym, WaitlistReason.COURSES_FULL)
    if len(fitting):
        return StillWaiting(pseudonym, WaitlistReason.COURSE_BELOW_MINIMUM)
    return StillWaiting(pseudonym, WaitlistReason.NO_FITTING_COURSE, index.failed_rules(person))
