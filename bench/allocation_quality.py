"""B5's quality criteria (issue 21 item 5): how good an allocation is for the people and the
courses, so that the optimiser can be held against greedy first-come-first-served.

Four criteria, each computed the same way for any :class:`Allocation`:

- **longest wait** (days, lower is better): the longest wait of a *placed* person, time already
  on the list plus days to the course start. The fairness question is whether someone waits much
  longer than necessary; for a placed person the allocation chose that wait, whereas the "wait"
  of someone left waiting is only the horizon placeholder (366 days), the same in any
  allocation that leaves them out. Who is left waiting is given in the details instead (how
  many, and the longest time on the list among them).
- **courses reaching their minimum** (count, higher is better): courses whose participants
  (held before plus placed now) reach ``minimum_participants``; a course without a minimum
  counts once it has anybody.
- **travel minutes** (mean one-way minutes per placed person, lower is better): the matcher's
  own estimate (:func:`travel_minutes`), 0 for people attending online; an unknown estimate
  counts as the matcher's cap.
- **schedule fit** (share of placed people, higher is better): whose course times are all
  within their stated availability (:func:`schedule_fits`). This is a hard rule of the matcher,
  so any valid allocation scores 1.0 — it shows that no allocation bought seats with misfits.

Per placed person (means, shares) rather than totals, so that the comparison holds at equal
seats filled even when one allocation fills more seats than the other.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ankommen.assignment.domain.allocation import Allocation
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import attends_online, schedule_fits, travel_minutes
from ankommen.assignment.domain.scoring import TRAVEL_CAP

#: The matcher counts travel in five-minute steps up to TRAVEL_CAP; unknown counts as the cap.
UNKNOWN_TRAVEL_MINUTES = TRAVEL_CAP * 5


@dataclass(frozen=True)
class Criterion:
    name: str
    unit: str
    lower_is_better: bool


LONGEST_WAIT = Criterion("longest wait of a placed person (list + to start)", "days", True)
COURSES_AT_MINIMUM = Criterion("courses reaching their minimum participants", "courses", False)
TRAVEL = Criterion("travel minutes, mean per placed person (one way)", "min", True)
SCHEDULE_FIT = Criterion("schedule fit, share of placed people", "share", False)
CRITERIA = (LONGEST_WAIT, COURSES_AT_MINIMUM, TRAVEL, SCHEDULE_FIT)


def quality(result: Allocation, people: Sequence[Applicant], courses: Sequence[Seats],
            today: date) -> dict[Criterion, float]:
    """The four criteria of one allocation."""
    person_of = {person.pseudonym: person for person in people}
    course_of = {seats.course.course_id: seats for seats in courses}
    placed = result.placements
    waits = [(today - person_of[p.pseudonym].waiting_since).days + p.score.wait_days
             for p in placed]
    taken = Counter(p.course_id for p in placed)
    at_minimum = sum(1 for seats in courses
                     if seats.held + taken[seats.course.course_id]
                     >= max(1, seats.course.minimum_participants))
    travel, fits = [], 0
    for p in placed:
        person, course = person_of[p.pseudonym], course_of[p.course_id].course
        travel.append(0 if attends_online(person, course)
                      else travel_minutes(person, course) or UNKNOWN_TRAVEL_MINUTES)
        fits += schedule_fits(person, course).passed
    return {LONGEST_WAIT: float(max(waits, default=0)),
            COURSES_AT_MINIMUM: float(at_minimum),
            TRAVEL: statistics.fmean(travel) if travel else 0.0,
            SCHEDULE_FIT: fits / len(placed) if placed else 1.0}


def left_waiting(result: Allocation, people: Sequence[Applicant], today: date) -> dict:
    """How many are left waiting and the longest time on the list among them (days)."""
    waiting = {w.pseudonym for w in result.waiting}
    on_list = [(today - p.waiting_since).days for p in people if p.pseudonym in waiting]
    return {"left_waiting": len(on_list), "longest_on_list_left_waiting_days": max(on_list,
                                                                                 default=0)}


def verdict(criterion: Criterion, value: float, baseline: float) -> str:
    """"better", "worse" or "equal" for the optimiser's ``value`` against ``baseline``."""
    if value == baseline:
        return "equal"
    return "better" if (value < baseline) == criterion.lower_is_better else "worse"


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else (1.0 if value == baseline else float("inf"))
