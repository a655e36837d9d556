"""First come, first served: the hand-made allocation the optimiser is measured against.

People in the order they joined the waiting list each take the fitting course that starts
first. It obeys the same hard rules, capacities and minimum participants as the optimiser:
courses left below their minimum are closed and the people allocated again, until none is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from ankommen.assignment.domain.allocation import Allocation, ProposedPlacement, StillWaiting
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import (
    eligible,
    needs_childcare_place,
    seat_outcomes,
    structural_outcomes,
    structurally_eligible,
)
from ankommen.assignment.domain.scoring import score
from ankommen.shared.events.contracts.assignment import WaitlistReason


def allocate_first_come_first_served(people: Sequence[Applicant], courses: Sequence[Seats],
                                     today: date) -> Allocation:
    closed: set[str] = set()
    while True:
        result = _first_come_first_served(people, courses, today, closed)
        taken = Counter(placement.course_id for placement in result.placements)
        short = {seats.course.course_id for seats in courses
                 if seats.course.course_id not in closed
                 and seats.short_of_minimum(today, taken[seats.course.course_id])}
        if not short:
            return result
        closed |= short


def _first_come_first_served(people: Sequence[Applicant], courses: Sequence[Seats],
                             today: date, closed: set[str]) -> Allocation:
    free = [replace(seats, free_seats=0, free_childcare=0)
            if seats.course.course_id in closed else seats for seats in courses]
    placements, waiting = [], []
    for person in sorted(people, key=lambda p: (p.waiting_since, p.pseudonym)):
        fitting = [j for j, seats in enumerate(free) if eligible(person, seats)]
        if not fitting:
            fits = {seats.course.course_id for seats in free
                    if structurally_eligible(person, seats)}
            reason = (WaitlistReason.COURSES_FULL if fits - closed
                      else WaitlistReason.COURSE_BELOW_MINIMUM if fits
                      else WaitlistReason.NO_FITTING_COURSE)
            waiting.append(StillWaiting(person.pseudonym, reason))
            continue
        j = min(fitting, key=lambda k: (free[k].course.starts_on, free[k].course.course_id))
        seats = free[j]
        childcare = needs_childcare_place(person, seats.course)
        placements.append(ProposedPlacement(
            person.pseudonym, seats.course.course_id, seats.course.provider_id, childcare,
            structural_outcomes(person, seats) + seat_outcomes(person, seats),
            score(person, seats.course, today), 0))
        free[j] = replace(seats, free_seats=seats.free_seats - 1,
                          free_childcare=seats.free_childcare - int(childcare))
    return Allocation(placements, waiting, frozenset(closed))
