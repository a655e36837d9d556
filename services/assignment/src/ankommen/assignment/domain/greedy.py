"""First come, first served: the hand-made allocation the optimiser is measured against.

People in the order they joined the waiting list each take the fitting course that starts
first. It obeys the same hard rules, capacities and minimum participants as the optimiser:
courses left below their minimum are closed and the people allocated again, until none is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from ankommen.assignment.domain.allocation import Allocation, ProposedPlacement, StillWaiting
from ankommen.assignment.domain.candidates import CandidateIndex, Profile
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import RuleOutcome
from ankommen.shared.events.contracts.assignment import WaitlistReason

FREE_SEAT = RuleOutcome("capacity", True, "a seat is free")
FREE_CHILDCARE = RuleOutcome("childcare_capacity", True, "a childcare place is free")


def allocate_first_come_first_served(people: Sequence[Applicant], courses: Sequence[Seats],
                                     today: date) -> Allocation:
    """The fitting courses come from the same :class:`CandidateIndex` as the optimiser's, so
    both are measured on the same work; the rotation part is left out (a hand-made list does
    not weigh it)."""
    index = CandidateIndex(people, courses, today)
    starts = sorted(range(len(courses)),
                    key=lambda j: (courses[j].course.starts_on, courses[j].course.course_id))
    rank = np.empty(len(courses), dtype=np.int64)
    rank[starts] = np.arange(len(courses))
    by_start = {id(profile): np.argsort(rank[profile.courses], kind="stable").tolist()
                for profile in index.profiles}
    order = sorted(range(len(people)), key=lambda i: (people[i].waiting_since,
                                                      people[i].pseudonym))
    closed: set[int] = set()
    while True:
        result = _first_come_first_served(index, order, by_start, closed)
        taken = np.zeros(len(courses), dtype=np.int64)
        for course in result[0].values():
            taken[course] += 1
        short = {j for j, seats in enumerate(courses)
                 if j not in closed and seats.short_of_minimum(today, int(taken[j]))}
        if not short:
            return _allocation(index, result, closed)
        closed |= short


def _first_come_first_served(index: CandidateIndex, order: list[int],
                             by_start: dict[int, list[int]], closed: set[int],
                             ) -> tuple[dict[int, int], dict[int, int]]:
    """Placed person → course and the position in their profile's list; seats only ever get
    fewer, so each profile's search resumes where the last one stopped."""
    courses = index.courses
    free = [0 if j in closed else seats.free_seats for j, seats in enumerate(courses)]
    free_childcare = [0 if j in closed else seats.free_childcare
                      for j, seats in enumerate(courses)]
    next_try: dict[int, int] = {}
    placed: dict[int, int] = {}
    position: dict[int, int] = {}
    for person in order:
        profile = index.profile_of[person]
        earliest = by_start[id(profile)]
        k = next_try.get(id(profile), 0)
        while k < len(earliest) and not _has_room(profile, earliest[k], free, free_childcare):
            k += 1
        next_try[id(profile)] = k
        if k == len(earliest):
            continue
        slot = earliest[k]
        course = int(profile.courses[slot])
        free[course] -= 1
        free_childcare[course] -= int(profile.childcare[slot])
        placed[person], position[person] = course, slot
    return placed, position


def _has_room(profile: Profile, slot: int, free: list[int], free_childcare: list[int]) -> bool:
    course = int(profile.courses[slot])
    return free[course] > 0 and (not profile.childcare[slot] or free_childcare[course] > 0)


def _allocation(index: CandidateIndex, result: tuple[dict[int, int], dict[int, int]],
                closed: set[int]) -> Allocation:
    placed, position = result
    people, courses = index.people, index.courses
    placements: list[ProposedPlacement] = []
    for person, course in placed.items():
        childcare = bool(index.profile_of[person].childcare[position[person]])
        seats = courses[course].course
        placements.append(ProposedPlacement(
            people[person].pseudonym, seats.course_id, seats.provider_id, childcare,
            index.rules(person, course) + [FREE_SEAT] + ([FREE_CHILDCARE] if childcare else []),
            index.score(person, course), 0))
    waiting: list[StillWaiting] = []
    for person in sorted(set(range(len(people))) - placed.keys(),
                         key=lambda i: (people[i].waiting_since, people[i].pseudonym)):
        fits = set(index.profile_of[person].courses.tolist())
        reason = (WaitlistReason.COURSES_FULL if fits - closed
                  else WaitlistReason.COURSE_BELOW_MINIMUM if fits
                  else WaitlistReason.NO_FITTING_COURSE)
        waiting.append(StillWaiting(people[person].pseudonym, reason))
    return Allocation(placements, waiting,
                      frozenset(courses[j].course.course_id for j in closed))
