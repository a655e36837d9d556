"""Coarse attributes for monitoring facts: bands instead of rates, months instead of days,
whole weeks instead of dates — nothing that points back to a participant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ankommen.progress.domain.participation import Participation
from ankommen.shared.events.contracts.progress import (
    AttendanceBand,
    CompletionReport,
    DiscontinuationReport,
    ExamOutcome,
    Report,
)


def attendance_band(rate: float | None) -> AttendanceBand:
    if rate is None:
        return AttendanceBand.UNKNOWN
    if rate < 0.5:
        return AttendanceBand.BELOW_50
    if rate < 0.75:
        return AttendanceBand.FROM_50_TO_75
    if rate < 0.9:
        return AttendanceBand.FROM_75_TO_90
    return AttendanceBand.AT_LEAST_90


def exam_outcome(participation: Participation) -> ExamOutcome:
    """Passed if any exam was passed; failed if exams were taken but none passed."""
    if not participation.exams:
        return ExamOutcome.NOT_TAKEN
    if any(exam.passed for exam in participation.exams):
        return ExamOutcome.PASSED
    return ExamOutcome.FAILED


def weeks_in_course(started_on: date | None, ended_on: date) -> int:
    return max((ended_on - started_on).days // 7, 0) if started_on else 0


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def ends_again(report: Report, history: Sequence[Report]) -> bool:
    """Whether ``report`` ends a participation that ``history`` already ended once (with a
    completion or discontinuation since retracted). That first end published the
    participation's course-outcome fact, and facts are anonymous and cannot be taken back: a
    second one would count the participation twice in monitoring's outcomes."""
    ending = CompletionReport | DiscontinuationReport
    return isinstance(report, ending) and any(isinstance(item, ending) for item in history)
