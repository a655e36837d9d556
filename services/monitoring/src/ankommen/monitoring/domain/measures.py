"""What monitoring measures, and by which published dimensions a measure may be broken down
or filtered. Only dimensions listed here are stored and reach the API: a filter over anything
else is refused, so no query can single out a combination that was not meant to be published.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ankommen.shared.events.contracts.assignment import (
    WaitingDaysBand,
    WaitingWeeksBand,
    WaitlistReason,
)
from ankommen.shared.events.contracts.intake import (
    AgeBand,
    Gender,
    ResidenceStatus,
    SchoolingBand,
)
from ankommen.shared.events.contracts.progress import (
    AttendanceBand,
    CourseOutcome,
    DiscontinuationReason,
    ExamOutcome,
    ExamType,
)
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

#: The dimension value of an optional attribute that is absent (e.g. no level reached).
NONE = "none"
#: Dimension values of yes/no attributes.
YES, NO = "yes", "no"
#: The dimension value of a yes/no attribute that an older fact does not carry.
UNKNOWN = "unknown"
#: Kinds of placement: the first after arrival, or the next course of the support chain.
FIRST, NEXT_COURSE = "first", "next_course"
#: Seats of the capacity measure.
OFFERED, TAKEN = "offered", "taken"
#: Levels gained in a course (from the level at start to the level reached).
LEVELS_GAINED = ("0", "1", "2_plus")


@dataclass(frozen=True)
class Dimension:
    name: str
    values: tuple[str, ...]


def enumerated(name: str, values: type[StrEnum], *, optional: bool = False) -> Dimension:
    return Dimension(name, (*(value.value for value in values), *((NONE,) if optional else ())))


@dataclass(frozen=True)
class Measure:
    name: str
    dimensions: tuple[Dimension, ...] = ()
    #: Whether facts carry a value in whole weeks (waiting time, weeks in course) whose
    #: median and 90th percentile are published.
    distribution: bool = False
    #: Whether its facts are snapshots (the last one of a month × district × dimensions
    #: counts, its numbers summed over coarser cells) rather than one count each.
    snapshot: bool = False

    def dimension(self, name: str) -> Dimension | None:
        return next((dimension for dimension in self.dimensions if dimension.name == name),
                    None)


GERMAN_LEVEL = enumerated("german_level", GermanLevel)
COURSE_TYPE = enumerated("course_type", CourseType)
WAITING = enumerated("waiting_days", WaitingDaysBand)
LEVEL_REACHED = enumerated("level_reached", GermanLevel, optional=True)

#: Arrivals (*Zugänge*) by German level, literacy and the survey's coarse attributes.
ARRIVALS = Measure("arrivals", (
    GERMAN_LEVEL, enumerated("age_band", AgeBand), enumerated("gender", Gender),
    Dimension("reads_latin_script", (YES, NO)), enumerated("schooling_band", SchoolingBand),
    Dimension("needs_childcare", (YES, NO)), enumerated("residence_status", ResidenceStatus)))
#: Seats offered (*Vermittlungen*) by course type, waiting time band, whether placed within
#: 6 weeks, and whether a first placement after arrival or the next course of the chain; the
#: waiting time in whole weeks begun is the distribution (median, 90th percentile).
PLACEMENTS = Measure("placements", (
    COURSE_TYPE, WAITING, Dimension("within_6_weeks", (YES, NO, UNKNOWN)),
    Dimension("placement", (FIRST, NEXT_COURSE))), distribution=True)
#: People put on the waiting list, by reason and waiting time band.
WAITLISTED = Measure("waitlisted", (enumerated("reason", WaitlistReason), WAITING))
#: Participations that ended: completed or discontinued (*Abbrüche*), with the reason, the
#: exam outcome, the level at start and reached and the levels gained; the weeks in course
#: are the distribution.
COURSE_OUTCOMES = Measure("course_outcomes", (
    enumerated("outcome", CourseOutcome), COURSE_TYPE,
    enumerated("discontinuation_reason", DiscontinuationReason, optional=True),
    enumerated("attendance_band", AttendanceBand), enumerated("exam_outcome", ExamOutcome),
    enumerated("level_at_start", GermanLevel, optional=True), LEVEL_REACHED,
    Dimension("levels_gained", (*LEVELS_GAINED, NONE))), distribution=True)
#: Exams taken, by exam, outcome and level reached.
EXAM_RESULTS = Measure("exam_results", (
    enumerated("exam", ExamType), enumerated("outcome", ExamOutcome), LEVEL_REACHED,
    COURSE_TYPE))

#: People who waited without a seat, once per person and month: the month's waiting-list
#: length, by the course type that would serve them and the reason (gaps in the offer).
UNMET_DEMAND = Measure("unmet_demand", (
    enumerated("course_type_wanted", CourseType), enumerated("reason", WaitlistReason)))
#: Steps of the support chain (*Förderkette*): from one course type to the next, and the
#: weeks between the end of one and the placement in the next.
TRANSITIONS = Measure("transitions", (
    enumerated("from_course_type", CourseType), enumerated("to_course_type", CourseType),
    enumerated("weeks_between", WaitingWeeksBand)))
#: Capacity use (*Auslastung*): seats offered and taken by course type — counts of seats, from
#: the month's last snapshot per district and course type.
CAPACITY = Measure("capacity", (COURSE_TYPE, Dimension("seats", (OFFERED, TAKEN))),
                   snapshot=True)

MEASURES: dict[str, Measure] = {measure.name: measure for measure in (
    ARRIVALS, PLACEMENTS, WAITLISTED, UNMET_DEMAND, CAPACITY, COURSE_OUTCOMES, EXAM_RESULTS,
    TRANSITIONS)}
