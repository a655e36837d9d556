"""The table from fact type to the cells it adds to — the one place to extend when a service
starts publishing a new kind of fact. Each entry is a pure function of the fact, and names only
dimensions its measure publishes (``measures.py``): nothing else is stored. Snapshot facts
(capacity) have their own table, :data:`SNAPSHOTS`: they state a cell's numbers instead of
adding one to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from ankommen.monitoring.domain.cells import Contribution, Snapshot
from ankommen.monitoring.domain.measures import (
    ARRIVALS,
    CAPACITY,
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    FIRST,
    LEVELS_GAINED,
    NEXT_COURSE,
    NO,
    NONE,
    OFFERED,
    PLACEMENTS,
    TAKEN,
    TRANSITIONS,
    UNKNOWN,
    UNMET_DEMAND,
    WAITLISTED,
    YES,
)
from ankommen.shared.events.contracts.assignment import (
    CourseCapacityFact,
    CourseTransitionFact,
    DemandUnmetFact,
    PlacementMadeFact,
    WaitlistedFact,
)
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact
from ankommen.shared.events.contracts.vocabulary import GermanLevel


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def arrival(fact: ArrivalRecorded) -> list[Contribution]:
    return [Contribution(ARRIVALS.name, fact.month, fact.district, {
        "german_level": fact.german_level, "age_band": fact.age_band, "gender": fact.gender,
        "reads_latin_script": yes_no(fact.reads_latin_script),
        "schooling_band": fact.schooling_band, "needs_childcare": yes_no(fact.needs_childcare),
        "residence_status": fact.residence_status})]


#: A goal the counties set themselves: a seat within six weeks of arrival.
WITHIN_WEEKS = 6


def placement(fact: PlacementMadeFact) -> list[Contribution]:
    weeks = fact.waiting_weeks
    within = UNKNOWN if weeks is None else yes_no(weeks <= WITHIN_WEEKS)
    return [Contribution(PLACEMENTS.name, fact.month, fact.district, {
        "course_type": fact.course_type, "waiting_days": fact.waiting_days,
        "within_6_weeks": within, "placement": NEXT_COURSE if fact.next_course else FIRST},
        value=weeks)]


def unmet_demand(fact: DemandUnmetFact) -> list[Contribution]:
    return [Contribution(UNMET_DEMAND.name, fact.month, fact.district, {
        "course_type_wanted": fact.course_type_wanted, "reason": fact.reason})]


def transition(fact: CourseTransitionFact) -> list[Contribution]:
    return [Contribution(TRANSITIONS.name, fact.month, fact.district, {
        "from_course_type": fact.from_course_type, "to_course_type": fact.to_course_type,
        "weeks_between": fact.weeks_between})]


def capacity(fact: CourseCapacityFact) -> Snapshot:
    return Snapshot(CAPACITY.name, fact.month, fact.district, {"course_type": fact.course_type},
                    "seats", {OFFERED: fact.seats_offered, TAKEN: fact.seats_taken},
                    sequence=fact.sequence)


LEVELS = list(GermanLevel)


def levels_gained(start: GermanLevel | None, reached: GermanLevel | None) -> str:
    """0, 1 or 2+ levels from start to reached (never negative); none when either is unknown."""
    if start is None or reached is None:
        return NONE
    gained = max(0, LEVELS.index(reached) - LEVELS.index(start))
    return LEVELS_GAINED[min(gained, len(LEVELS_GAINED) - 1)]


def waitlisting(fact: WaitlistedFact) -> list[Contribution]:
    return [Contribution(WAITLISTED.name, fact.month, fact.district,
                         {"reason": fact.reason, "waiting_days": fact.waiting_days})]


def course_outcome(fact: CourseOutcomeFact) -> list[Contribution]:
    return [Contribution(COURSE_OUTCOMES.name, fact.month, fact.district, {
        "outcome": fact.outcome, "course_type": fact.course_type,
        "discontinuation_reason": fact.discontinuation_reason or NONE,
        "attendance_band": fact.attendance_band, "exam_outcome": fact.exam_outcome,
        "level_at_start": fact.level_at_start or NONE, "level_reached": fact.level_reached or NONE,
        "levels_gained": levels_gained(fact.level_at_start, fact.level_reached)},
        value=fact.weeks_in_course)]


def exam_result(fact: ExamResultFact) -> list[Contribution]:
    return [Contribution(EXAM_RESULTS.name, fact.month, fact.district, {
        "exam": fact.exam, "outcome": fact.outcome,
        "level_reached": fact.level_reached or NONE, "course_type": fact.course_type})]


_F = TypeVar("_F", bound=Fact)
_R = TypeVar("_R")


def _keyed(fact_type: type[_F], handle: Callable[[_F], _R]) -> tuple[type[Fact],
                                                                    Callable[[Fact], _R]]:
    """An entry of the tables below: ``handle`` of the facts of ``fact_type``. The tables are
    read with ``type(fact)`` as the key only, so ``handle`` always gets a ``fact_type``; a
    dict's type cannot tie each value to its key, this function checks the pair instead."""
    return fact_type, cast(Callable[[Fact], _R], handle)


CONTRIBUTIONS: dict[type[Fact], Callable[[Fact], list[Contribution]]] = dict([
    # The retired ArrivalFact (still registered, so old facts decode) described the same
    # arrivals with fewer attributes: it stays unused, so nobody is counted twice.
    _keyed(ArrivalRecorded, arrival),
    _keyed(PlacementMadeFact, placement),
    _keyed(WaitlistedFact, waitlisting),
    _keyed(DemandUnmetFact, unmet_demand),
    _keyed(CourseTransitionFact, transition),
    _keyed(CourseOutcomeFact, course_outcome),
    _keyed(ExamResultFact, exam_result),
])

SNAPSHOTS: dict[type[Fact], Callable[[Fact], Snapshot]] = dict([
    _keyed(CourseCapacityFact, capacity),
])
