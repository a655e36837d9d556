"""The next step of the support chain (*Förderkette*): after a course, which course comes next.

Decided from the level reached and the goals already in the survey — the person is never asked
again. An integration course ending at B1 leads, for people who want to work, train or study, to
the job-related course to B2; B2 leads to the job-related course to C1.
"""

from __future__ import annotations

from dataclasses import dataclass

from ankommen.assignment.domain.courses import level_index
from ankommen.shared.events.contracts.intake import Goal, Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel

CAREER_GOALS = frozenset({Goal.WORK, Goal.VOCATIONAL_TRAINING, Goal.UNIVERSITY})


@dataclass(frozen=True)
class NextStep:
    course_type: CourseType
    target_level: GermanLevel
    reason: str


def next_step(survey: Survey, completed: CourseType, level_reached: GermanLevel
              ) -> NextStep | None:
    """The next course, or None when the chain ends here."""
    level = level_index(level_reached)
    wants_career = bool(CAREER_GOALS & set(survey.goals))
    if level >= level_index(GermanLevel.C1):
        return None
    if level_reached is GermanLevel.B2:
        return (NextStep(CourseType.JOB_RELATED_C1, GermanLevel.C1, "B2 reached, career goal")
                if wants_career else None)
    if level_reached is GermanLevel.B1:
        return (NextStep(CourseType.JOB_RELATED_B2, GermanLevel.B2, "B1 reached, career goal")
                if wants_career else None)
    # Below B1 the integration goal is not reached yet: continue in the kind of course the
    # survey calls for (the literacy need stays until intake updates the survey).
    if survey.needs_literacy_course:
        kind = CourseType.SECOND_SCRIPT if survey.literate_other_script else CourseType.LITERACY
    else:
        kind = CourseType.GENERAL_INTEGRATION
    return NextStep(kind, GermanLevel.B1, f"{level_reached} reached after {completed}, B1 not yet")
