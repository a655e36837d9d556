"""The one validation path for provider reports, whatever the channel (web form, CSV, HTTP,
Kafka): pure functions over the report, the placement, the course and the history.

Payload shape (types, levels, enums, hours attended ≤ planned within a period) is checked by
the report models; here come the rules that need the placement: the referral code belongs
to this provider's course, an enrolment needs a confirmed placement (docs/participation.md),
dates lie inside the course period and not in the future, hours
fit the course, corrections point at an effective report of the same kind, attendance
periods do not overlap (a correction replaces its original), and the history with this
report still obeys the participation state machine (nothing dated before the enrolment).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.progress.domain.participation import Participation, Standing, Track, standings
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.shared.events.contracts.progress import (
    AttendanceReport,
    EnrolmentReport,
    ExamResultReport,
    ExamType,
    Report,
    RetractionReport,
)
from ankommen.shared.events.contracts.vocabulary import GermanLevel

NOT_YOURS = "not a placement in one of your courses"
NOT_CONFIRMED = "the placement is not confirmed yet: confirm it first"
#: Levels a DTZ certifies (below A2 it is "not passed").
DTZ_LEVELS = {GermanLevel.A2, GermanLevel.B1}


def dated_fields(report: Report) -> dict[str, date]:
    # The field values themselves (``vars``): iterating the model builds a list per report.
    return {name: value for name, value in vars(report).items() if isinstance(value, date)}


def check_ownership(provider_id: str, placement: Placement | None,
                    course: Course | None, report: Report) -> list[Problem]:
    """Unknown and foreign referral codes get the same answer: a provider must not learn
    which codes exist at other providers. Then whether the placement takes ``report`` at all
    (:func:`check_placement`)."""
    if placement is None or placement.provider_id != provider_id or (
            course is not None and course.provider_id != provider_id):
        return [Problem("referral_code", NOT_YOURS, ProblemKind.FORBIDDEN,
                        text="problem.not_yours")]
    if course is None:
        return [Problem("referral_code", "the course of this placement is not known yet; "
                                         "try again later", ProblemKind.CONFLICT)]
    return check_placement(placement, course, report)


def check_placement(placement: Placement, course: Course, report: Report) -> list[Problem]:
    """The participation state machine's part that assignment decides (docs/participation.md):
    a person is enrolled only in a placement the provider or a coordinator confirmed, never in
    a cancelled course; a declined, withdrawn or expired placement takes nothing more.

    A cancelled course still takes the reports of people enrolled before the cancellation:
    assignment does not withdraw an enrolled placement, its end is the provider's completion
    or discontinuation."""
    if not placement.status.is_open:
        return [Problem("referral_code", f"the placement was {placement.status.value}",
                        ProblemKind.CONFLICT, f"problem.placement_{placement.status.value}")]
    # A correction of an accepted enrolment (its date) is no new enrolment.
    if not isinstance(report, EnrolmentReport) or report.corrects_report_id is not None:
        return []
    if course.cancelled:
        return [Problem("referral_code", "the course was cancelled", ProblemKind.CONFLICT,
                        "problem.course_cancelled")]
    if placement.status is not PlacementStatus.CONFIRMED:
        return [Problem("referral_code", NOT_CONFIRMED, ProblemKind.CONFLICT,
                        "problem.not_confirmed")]
    return []


def check_values(report: Report, course: Course, today: date) -> list[Problem]:
    problems: list[Problem] = []
    for name, day in dated_fields(report).items():
        if day > today:
            problems.append(Problem(name, "in the future", text="problem.future"))
        elif not course.starts_on <= day <= course.ends_on:
            problems.append(Problem(name, f"outside the course period "
                                          f"({course.starts_on.isoformat()} to "
                                          f"{course.ends_on.isoformat()})",
                                    text="problem.outside_course",
                                    values={"start": course.starts_on, "end": course.ends_on}))
    if isinstance(report, AttendanceReport) and report.hours_planned > course.hours:
        problems.append(Problem("hours_planned", f"more than the course's {course.hours} "
                                                 "hours"))
    if (isinstance(report, ExamResultReport) and report.exam is ExamType.DTZ
            and report.level_reached is not None and report.level_reached not in DTZ_LEVELS):
        problems.append(Problem("level_reached", "a DTZ certifies A2 or B1 only"))
    return problems


def check_correction(report: Report, history: Sequence[Report]) -> list[Problem]:
    target_id = report.corrects_report_id
    if target_id is None:
        return []
    target = next((earlier for earlier in history if earlier.report_id == target_id), None)
    if target is None:
        return [Problem("corrects_report_id", "no such report for this referral code",
                        ProblemKind.CONFLICT)]
    standing = standings(history)[target_id]
    if standing is not Standing.EFFECTIVE or isinstance(target, RetractionReport):
        return [Problem("corrects_report_id", f"that report is {standing.value}; correct "
                                              "the current version", ProblemKind.CONFLICT)]
    if not isinstance(report, RetractionReport) and type(report) is not type(target):
        return [Problem("kind", f"a correction must have the kind of the report it corrects "
                                f"({target.kind})", ProblemKind.CONFLICT)]
    return []


def check_overlap(report: Report, after: Participation) -> list[Problem]:
    """Attendance periods of one participation never share a day: hours reported twice for
    the same days would count twice (attendance totals, the attendance band of the outcome
    fact monitoring receives). A provider who means to replace a period says so with
    ``corrects_report_id``: the correction takes its original's place in ``after``, so it
    is judged against the other periods only.

    ``after``: the participation with the report applied. Only the new report is judged —
    periods stored before this rule may overlap each other, and their participation must
    still take reports, not least the retraction or correction that repairs them."""
    if not isinstance(report, AttendanceReport):
        return []
    start, end = report.period_start, report.period_end
    clashes = [period for period in after.attendance
               if period.report_id != report.report_id and period.overlaps(start, end)]
    if not clashes:
        return []
    other = min(clashes, key=lambda period: (period.start, period.end))
    # The field to change: a period that starts before the other one runs into it with its
    # end; otherwise its start lies inside the other one.
    name = "period_end" if start < other.start else "period_start"
    return [Problem(name, f"overlaps the attendance reported for {other.start.isoformat()} to "
                          f"{other.end.isoformat()} (report {other.report_id}); to replace "
                          f"that report, name it in corrects_report_id",
                    ProblemKind.CONFLICT, "problem.overlap",
                    {"start": other.start, "end": other.end, "report_id": other.report_id})]


def check_attendance_total(after: Participation, course: Course) -> list[Problem]:
    """``after``: the participation with the report applied."""
    if after.hours_attended > course.hours:
        return [Problem("hours_attended", f"in total more than the course's {course.hours} "
                                          "hours")]
    return []


def assess(report: Report, *, provider_id: str, placement: Placement | None,
           course: Course | None, track: Track, today: date
           ) -> tuple[list[Problem], Participation | None]:
    """Every reason to refuse ``report`` given the participation ``track`` (its history and
    state); when there is none, the participation with the report applied."""
    if problems := check_ownership(provider_id, placement, course, report):
        return problems, None
    assert course is not None, "check_ownership refuses a report whose course is not known"
    problems = check_values(report, course, today) + check_correction(report, track.history)
    if problems:
        return problems, None
    after, problem = track.after(report)
    if problem is not None:
        return [problem], None
    if problems := check_overlap(report, after) or check_attendance_total(after, course):
        return problems, None
    return [], after


def validate(report: Report, *, provider_id: str, placement: Placement | None,
             course: Course | None, history: Sequence[Report], today: date
             ) -> list[Problem]:
    """Every reason to refuse ``report``; empty when it may be accepted."""
    problems, _ = assess(report, provider_id=provider_id, placement=placement, course=course,
                         track=Track(history), today=today)
    return problems
