"""Unmet demand (*ungedeckter Bedarf*): people no course can serve, grouped so a coordinator
sees which course to open next — without disclosing small groups.

Groups are formed on district, level, course type, childcare and schedule. A group below the
disclosure minimum is not shown: its people are merged into the next coarser group (schedule
dropped, then childcare, then course type, then level), shown there as "other"; what is still
below the minimum at district level is hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ankommen.assignment.domain.courses import Applicant, district_of
from ankommen.shared.events.contracts.vocabulary import CourseType

ATTRIBUTES = ("district", "level", "course_type", "childcare", "schedule")
OTHER = "other"


def needed_course_type(person: Applicant) -> CourseType:
    """The kind of course that would serve this person best."""
    survey = person.survey
    if person.wanted_course_type is not None:
        return person.wanted_course_type
    if survey.needs_literacy_course:
        return CourseType.SECOND_SCRIPT if survey.literate_other_script else CourseType.LITERACY
    if survey.age_years < 27:
        return CourseType.YOUTH
    return CourseType.GENERAL_INTEGRATION


def demand_key(person: Applicant) -> tuple[str, ...]:
    survey = person.survey
    return (district_of(survey.region_key), survey.german_level.value,
            needed_course_type(person).value, "yes" if survey.needs_childcare else "no",
            "+".join(sorted(slot.value for slot in survey.availability)))


@dataclass(frozen=True)
class DemandGroup:
    district: str
    level: str
    course_type: str
    childcare: str
    schedule: str
    count: int


@dataclass(frozen=True)
class UnmetDemand:
    groups: list[DemandGroup]
    #: Whether some people were left out because even their district group was too small.
    hidden: bool


def unmet_demand(unserved: Sequence[Applicant], minimum: int) -> UnmetDemand:
    pending = Counter(demand_key(person) for person in unserved)
    shown: list[DemandGroup] = []
    for coarsen in range(len(ATTRIBUTES) - 1, 0, -1):
        carried: Counter[tuple[str, ...]] = Counter()
        for key, count in pending.items():
            if count >= minimum:
                shown.append(DemandGroup(*key, count=count))
            else:
                carried[key[:coarsen] + (OTHER,) * (len(ATTRIBUTES) - coarsen)] += count
        pending = carried
    hidden = False
    for key, count in pending.items():
        if count >= minimum:
            shown.append(DemandGroup(*key, count=count))
        else:
            hidden = True
    shown.sort(key=lambda group: (-group.count, group.district, group.level))
    return UnmetDemand(shown, hidden)
