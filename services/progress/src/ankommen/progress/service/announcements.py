"""What an accepted report announces: the participation event (to assignment and anyone on
the participation topic), the audit event of a correction, and the anonymous facts."""

from __future__ import annotations

import secrets
from typing import TypedDict

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.catalogue import Course, Placement
from ankommen.progress.domain.facts import attendance_band, exam_outcome, month_of, weeks_in_course
from ankommen.progress.domain.participation import Participation
from ankommen.shared.events.contracts.progress import (
    AttendanceRecorded,
    AttendanceReport,
    CompletionReport,
    CorrectionAction,
    CourseCompleted,
    CourseDiscontinued,
    CourseOutcome,
    CourseOutcomeFact,
    DiscontinuationReport,
    EnrolmentReport,
    ExamOutcome,
    ExamResultFact,
    ExamResultRecorded,
    ExamResultReport,
    InterruptionReport,
    ParticipantEnrolled,
    ParticipationEvent,
    ParticipationInterrupted,
    ParticipationResumed,
    Report,
    ReportCorrected,
    ReportKind,
    ResumptionReport,
    RetractionReport,
)
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel


class _Announced(TypedDict):
    """What every participation event says of its report and placement."""

    pseudonym: str
    referral_code: str
    course_id: str
    report_id: str
    corrects_report_id: str | None


def participation_event(report: Report, placement: Placement) -> ParticipationEvent | None:
    """The event a report announces; a retraction has none of its own (see ReportCorrected)."""
    common: _Announced = {
        "pseudonym": placement.pseudonym, "referral_code": report.referral_code,
        "course_id": placement.course_id, "report_id": report.report_id,
        "corrects_report_id": report.corrects_report_id}
    match report:
        case EnrolmentReport():
            return ParticipantEnrolled(**common, started_on=report.started_on)
        case AttendanceReport():
            return AttendanceRecorded(**common, period_start=report.period_start,
                                      period_end=report.period_end,
                                      hours_attended=report.hours_attended,
                                      hours_planned=report.hours_planned)
        case InterruptionReport():
            return ParticipationInterrupted(**common, interrupted_on=report.interrupted_on,
                                            reason=report.reason)
        case ResumptionReport():
            return ParticipationResumed(**common, resumed_on=report.resumed_on)
        case ExamResultReport():
            return ExamResultRecorded(**common, exam=report.exam, taken_on=report.taken_on,
                                      passed=report.passed, level_reached=report.level_reached,
                                      skills=report.skills)
        case CompletionReport():
            return CourseCompleted(**common, completed_on=report.completed_on,
                                   level_reached=report.level_reached)
        case DiscontinuationReport():
            return CourseDiscontinued(**common, discontinued_on=report.discontinued_on,
                                      reason=report.reason)
        case RetractionReport():
            return None


async def remember_level(uow: ProgressUnitOfWork, report: Report, placement: Placement) -> None:
    """A level reached (exam result or completion, corrections included: the latest wins) is
    the level the person starts their next course with — ``level_at_start`` of its facts."""
    if isinstance(report, ExamResultReport | CompletionReport) and report.level_reached is not None:
        await uow.cases.set_level(placement.pseudonym, report.level_reached.value)


async def announce(uow: ProgressUnitOfWork, report: Report, *, original: Report | None,
                   placement: Placement, course: Course, after: Participation,
                   ended_before: bool = False) -> None:
    """Publish what ``report`` announces, in the caller's unit of work (outbox);
    ``ended_before``: the participation's course-outcome fact was published already
    (``facts.ends_again``)."""
    await remember_level(uow, report, placement)
    key = placement.pseudonym
    event = participation_event(report, placement)
    if event is not None:
        await uow.publish(event, key=key, subject=key)
    if original is not None:
        retracted = isinstance(report, RetractionReport)
        await uow.publish(ReportCorrected(
            pseudonym=placement.pseudonym, referral_code=report.referral_code,
            course_id=placement.course_id, report_id=report.report_id,
            corrects_report_id=original.report_id,
            action=CorrectionAction.RETRACTED if retracted else CorrectionAction.CORRECTED,
            original_kind=ReportKind(original.kind)), key=key, subject=key)
        # Facts are anonymous and cannot be taken back: corrections publish none.
        return
    if ended_before:
        return
    for fact in facts(report, course, after, placement.level_at_start):
        await uow.publish(fact, key=fact.record_key)


def facts(report: Report, course: Course, after: Participation,
          level_at_start: str | None = None) -> list[CourseOutcomeFact | ExamResultFact]:
    """Monitoring facts for a new (uncorrected) report: no pseudonym, coarse attributes;
    ``level_at_start`` is the participant's level when the placement was offered."""
    match report:
        case ExamResultReport():
            return [ExamResultFact(
                record_key=secrets.token_hex(16), exam=report.exam,
                outcome=ExamOutcome.PASSED if report.passed else ExamOutcome.FAILED,
                level_reached=report.level_reached, month=month_of(report.taken_on),
                course_type=CourseType(course.course_type), district=course.district)]
        case CompletionReport() | DiscontinuationReport():
            ended_on = after.ended_on
            assert ended_on is not None, "a completion or discontinuation sets the end"
            completed = isinstance(report, CompletionReport)
            return [CourseOutcomeFact(
                record_key=secrets.token_hex(16),
                outcome=CourseOutcome.COMPLETED if completed else CourseOutcome.DISCONTINUED,
                discontinuation_reason=None if completed else report.reason,
                attendance_band=attendance_band(after.attendance_rate),
                exam_outcome=exam_outcome(after),
                level_reached=report.level_reached if completed else None,
                level_at_start=GermanLevel(level_at_start) if level_at_start is not None
                else None,
                month=month_of(ended_on),
                weeks_in_course=weeks_in_course(after.started_on, ended_on),
                course_type=CourseType(course.course_type), district=course.district)]
        case _:
            return []
