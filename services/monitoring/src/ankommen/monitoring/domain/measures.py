"""What monitoring measures, and by which published dimensions a measure may be broken down
or filtered. Only dimensions listed here are stored and reach the API: a filter over anything
else is refused, so no query can single out a combination that was not meant to be published.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ankommen.shared.events.contracts.assignment import WaitingDaysBand, WaitlistReason
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
    #: Whether facts carry a value (days) whose median and 90th percentile are published.
    distribution: bool = False

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
#: Seats offered (*Vermittlungen*) by course type and waiting time band.
PLACEMENTS = Measure("placements", (COURSE_TYPE, WAITING))
#: People put on the waiting list, by reason and waiting time band.
WAITLISTED = Measure("waitlisted", (enumerated("reason", WaitlistReason), WAITING))
#: Participations that ended: completed or discontinued (*Abbrüche*), with the reason.
COURSE_OUTCOMES = Measure("course_outcomes", (
    enumerated("outcome", CourseOutcome), COURSE_TYPE,
    enumerated("discontinuation_reason", DiscontinuationReason, optional=True),
    enumerated("attendance_band", AttendanceBand), LEVEL_REACHED))
#: Exams taken, by exam, outcome and level reached.
EXAM_RESULTS = Measure("exam_results", (
    enumerated("exam", ExamType), enumerated("outcome", ExamOutcome), LEVEL_REACHED,
    COURSE_TYPE))

MEASURES: dict[str, Measure] = {measure.name: measure for measure in (
    ARRIVALS, PLACEMENTS, WAITLISTED, COURSE_OUTCOMES, EXAM_RESULTS)}
