"""How good a fitting seat is (*Passung*): the parts of the score, each a small cost.

The optimiser ranks lexicographically: first the wait until the course starts (nobody should
wait longer so that someone else travels less), then the priority of the person (weeks waiting,
obligation to attend: configurable) and, of equal priority, the days on the waiting list, then
the sum of the remaining parts — travel, pace fit, continuity with the previous provider and
rotation between providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ankommen.assignment.domain.courses import Applicant, level_index
from ankommen.assignment.domain.eligibility import attends_online, travel_minutes
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.vocabulary import CourseType

#: Every secondary part is capped so the lexicographic weights stay small.
TRAVEL_CAP = 48
PACE_MISMATCH = 5
LEVEL_GAP_COST = 3
PROVIDER_CHANGE = 5
ROTATION_CAP = 10
SECONDARY_MAX = TRAVEL_CAP + PACE_MISMATCH + 2 * LEVEL_GAP_COST + PROVIDER_CHANGE + ROTATION_CAP
#: Courses starting later than this count as this (the horizon of one allocation).
HORIZON_DAYS = 366
PRIORITY_MAX = 1000


@dataclass(frozen=True)
class PriorityRules:
    """Who goes first when seats are short (*Priorisierung*), configurable per county."""

    per_waiting_week: int = 1
    obligation_bonus: int = 20

    def priority(self, person: Applicant, today: date) -> int:
        weeks = max(0, (today - person.waiting_since).days) // 7
        bonus = self.obligation_bonus if person.obliged else 0
        return min(PRIORITY_MAX, weeks * self.per_waiting_week + bonus)


@dataclass(frozen=True)
class Score:
    wait_days: int
    travel: int
    pace: int
    continuity: int
    rotation: int

    @property
    def secondary(self) -> int:
        return self.travel + self.pace + self.continuity + self.rotation

    def as_dict(self) -> dict[str, int]:
        return {"wait_days": self.wait_days, "travel": self.travel, "pace": self.pace,
                "continuity": self.continuity, "rotation": self.rotation}


def wait_days(course: Course, today: date) -> int:
    return min(HORIZON_DAYS - 1, max(0, (course.starts_on - today).days))


def travel_cost(person: Applicant, course: Course) -> int:
    """Travel in steps of five minutes, none online, capped (unknown counts as the cap)."""
    if attends_online(person, course):
        return 0
    minutes = travel_minutes(person, course)
    return TRAVEL_CAP if minutes is None else min(TRAVEL_CAP, minutes // 5)


def pace_cost(person: Applicant, course: Course) -> int:
    """An intensive course for a slow learner (or the reverse), and entry levels skipped."""
    intensive = course.course_type is CourseType.INTENSIVE
    pace = 0 if intensive == person.fast_learner else PACE_MISMATCH
    gap = level_index(person.survey.german_level) - level_index(course.entry_level)
    return pace + LEVEL_GAP_COST * max(0, min(2, gap))


def continuity_cost(previous_provider_id: str | None, provider_id: str) -> int:
    return 0 if previous_provider_id in (None, provider_id) else PROVIDER_CHANGE


def rotation_cost(rotation_share: float) -> int:
    return round(ROTATION_CAP * max(0.0, min(1.0, rotation_share)))


def score(person: Applicant, course: Course, today: date, rotation_share: float = 0.0) -> Score:
    """``rotation_share``: the provider's share of current placements (0–1), from the caller."""
    return Score(wait_days(course, today), travel_cost(person, course), pace_cost(person, course),
                 continuity_cost(person.previous_provider_id, course.provider_id),
                 rotation_cost(rotation_share))
