"""The table from fact type to the cells it adds to — the one place to extend when a service
starts publishing a new kind of fact. Each entry is a pure function of the fact, and names only
dimensions its measure publishes (``measures.py``): nothing else is stored."""

from __future__ import annotations

from collections.abc import Callable

from ankommen.monitoring.domain.cells import Contribution
from ankommen.monitoring.domain.measures import (
    ARRIVALS,
    COURSE_OUTCOMES,
    EXAM_RESULTS,
    NO,
    NONE,
    PLACEMENTS,
    WAITLISTED,
    YES,
)
from ankommen.shared.events.contracts.assignment import PlacementMadeFact, WaitlistedFact
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def arrival(fact: ArrivalRecorded) -> list[Contribution]:
    return [Contribution(ARRIVALS.name, fact.month, fact.district, {
        "german_level": fact.german_level, "age_band": fact.age_band, "gender": fact.gender,
        "reads_latin_script": yes_no(fact.reads_latin_script),
        "schooling_band": fact.schooling_band, "needs_childcare": yes_no(fact.needs_childcare),
        "residence_status": fact.residence_status})]


def placement(fact: PlacementMadeFact) -> list[Contribution]:
    return [Contribution(PLACEMENTS.name, fact.month, fact.district,
                         {"course_type": fact.course_type, "waiting_days": fact.waiting_days})]


def waitlisting(fact: WaitlistedFact) -> list[Contribution]:
    return [Contribution(WAITLISTED.name, fact.month, fact.district,
                         {"reason": fact.reason, "waiting_days": fact.waiting_days})]


def course_outcome(fact: CourseOutcomeFact) -> list[Contribution]:
    return [Contribution(COURSE_OUTCOMES.name, fact.month, fact.district, {
        "outcome": fact.outcome, "course_type": fact.course_type,
        "discontinuation_reason": fact.discontinuation_reason or NONE,
        "attendance_band": fact.attendance_band, "level_reached": fact.level_reached or NONE})]


def exam_result(fact: ExamResultFact) -> list[Contribution]:
    return [Contribution(EXAM_RESULTS.name, fact.month, fact.district, {
        "exam": fact.exam, "outcome": fact.outcome,
        "level_reached": fact.level_reached or NONE, "course_type": fact.course_type})]


CONTRIBUTIONS: dict[type[Fact], Callable[[Fact], list[Contribution]]] = {
    # ArrivalFact (the skeleton's arrival fact) describes the same arrivals with fewer
    # attributes: it is left unused, so nobody is counted twice.
    ArrivalRecorded: arrival,
    PlacementMadeFact: placement,
    WaitlistedFact: waitlisting,
    CourseOutcomeFact: course_outcome,
    ExamResultFact: exam_result,
}
