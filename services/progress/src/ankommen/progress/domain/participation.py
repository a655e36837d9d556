"""The state of one participation (one referral code), folded from its reports.

The state machine: referred → enrolled ⇄ interrupted → completed | discontinued. Nothing is
accepted after completion or discontinuation except corrections and retractions, and those
are checked by replaying the corrected history: a correction that would make the history
impossible (say, retracting the enrolment of someone with attendance) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.shared.events.contracts.progress import (
    AttendanceReport,
    CompletionReport,
    DiscontinuationReport,
    EnrolmentReport,
    ExamResultReport,
    InterruptionReport,
    Report,
    ResumptionReport,
    RetractionReport,
)


class Status(StrEnum):
    REFERRED = "referred"
    ENROLLED = "enrolled"
    INTERRUPTED = "interrupted"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


class Standing(StrEnum):
    """Where a stored report stands in the history."""

    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"
    RETRACTED = "retracted"


@dataclass(frozen=True)
class AttendancePeriod:
    """The period of one effective attendance report (*Anwesenheitszeitraum*)."""

    start: date
    end: date
    report_id: str

    def overlaps(self, start: date, end: date) -> bool:
        """Whether the days ``start``–``end`` (both included) share a day with this period."""
        return self.start <= end and start <= self.end


@dataclass
class Participation:
    status: Status = Status.REFERRED
    started_on: date | None = None
    last_change_on: date | None = None
    ended_on: date | None = None
    hours_attended: float = 0.0
    hours_planned: float = 0.0
    exams: list[ExamResultReport] = field(default_factory=list[ExamResultReport])
    #: The effective attendance periods, in the order received. Whether a new one overlaps
    #: them is judged in ``validation.check_overlap`` (for the new report only, so that a
    #: history stored before that rule still replays and can be corrected).
    attendance: list[AttendancePeriod] = field(default_factory=list[AttendancePeriod])

    def copy(self) -> Participation:
        """An independent copy (the lists included), to try a report on."""
        return Participation(status=self.status, started_on=self.started_on,
                             last_change_on=self.last_change_on, ended_on=self.ended_on,
                             hours_attended=self.hours_attended,
                             hours_planned=self.hours_planned, exams=list(self.exams),
                             attendance=list(self.attendance))

    @property
    def attendance_rate(self) -> float | None:
        return self.hours_attended / self.hours_planned if self.hours_planned else None

    def apply(self, report: Report) -> Problem | None:
        """Apply one effective report; the problem if the state machine does not allow it."""
        if self.status in (Status.COMPLETED, Status.DISCONTINUED):
            return _conflict("kind", f"the participation is already {self.status.value}; only "
                                     "corrections and retractions are accepted")
        match report:
            case EnrolmentReport():
                if self.status is not Status.REFERRED:
                    return _conflict("kind", "the participant is already enrolled")
                self.status = Status.ENROLLED
                self.started_on = self.last_change_on = report.started_on
            case AttendanceReport():
                if problem := self._after_enrolment("period_start", report.period_start):
                    return problem
                self.hours_attended += report.hours_attended
                self.hours_planned += report.hours_planned
                self.attendance.append(AttendancePeriod(report.period_start, report.period_end,
                                                        report.report_id))
            case InterruptionReport():
                if self.status is not Status.ENROLLED:
                    return _conflict("kind", f"cannot interrupt: the participation is "
                                             f"{self.status.value}")
                if problem := self._not_before_last_change("interrupted_on",
                                                           report.interrupted_on):
                    return problem
                self.status = Status.INTERRUPTED
                self.last_change_on = report.interrupted_on
            case ResumptionReport():
                if self.status is not Status.INTERRUPTED:
                    return _conflict("kind", "cannot resume: the participation is not "
                                             "interrupted")
                if problem := self._not_before_last_change("resumed_on", report.resumed_on):
                    return problem
                self.status = Status.ENROLLED
                self.last_change_on = report.resumed_on
            case ExamResultReport():
                if problem := self._after_enrolment("taken_on", report.taken_on):
                    return problem
                self.exams.append(report)
            case CompletionReport():
                if self.status is not Status.ENROLLED:
                    return _conflict("kind", f"cannot complete: the participation is "
                                             f"{self.status.value}")
                if problem := self._not_before_last_change("completed_on", report.completed_on):
                    return problem
                self.status = Status.COMPLETED
                self.ended_on = report.completed_on
            case DiscontinuationReport():
                if problem := self._after_enrolment("discontinued_on", report.discontinued_on):
                    return problem
                self.status = Status.DISCONTINUED
                self.ended_on = report.discontinued_on
            case RetractionReport():
                # Takes its original out of the effective history (:func:`effective`);
                # itself it changes no state.
                pass
        return None

    def _after_enrolment(self, name: str, day: date) -> Problem | None:
        if self.status is Status.REFERRED:
            return _conflict("kind", "the participant is not enrolled yet")
        return _not_before(name, day, self.started_on, "the enrolment",
                           "problem.before_enrolment")

    def _not_before_last_change(self, name: str, day: date) -> Problem | None:
        return _not_before(name, day, self.last_change_on, "the last status change",
                           "problem.before_last_change")


def _not_before(name: str, day: date, reference: date | None, what: str,
                text: str) -> Problem | None:
    if reference is not None and day < reference:
        return Problem(name, f"before {what} ({reference.isoformat()})", ProblemKind.INVALID,
                       text, {"day": reference})
    return None


def _conflict(name: str, reason: str) -> Problem:
    return Problem(name, reason, ProblemKind.CONFLICT)


def effective(history: Sequence[Report]) -> list[Report]:
    """The reports that count, in the order received; a correction takes its original's place
    and a retraction removes it."""
    slots: list[Report | None] = []
    slot_of: dict[str, int] = {}
    for report in history:
        target = report.corrects_report_id
        if target is not None and target in slot_of:
            slot = slot_of[target]
            slots[slot] = None if isinstance(report, RetractionReport) else report
        else:
            slot = len(slots)
            slots.append(report)
        slot_of[report.report_id] = slot
    return [report for report in slots if report is not None]


def standings(history: Sequence[Report]) -> dict[str, Standing]:
    """Each report's standing: effective, superseded by a correction, or retracted."""
    result = {report.report_id: Standing.EFFECTIVE for report in history}
    for report in history:
        target = report.corrects_report_id
        if target is None:
            continue
        retracted = isinstance(report, RetractionReport)
        result[target] = Standing.RETRACTED if retracted else Standing.SUPERSEDED
        if retracted:
            result[report.report_id] = Standing.EFFECTIVE
    return result


def replay(history: Sequence[Report]) -> tuple[Participation, Problem | None]:
    """The participation after ``history``, or the first problem found on the way."""
    state = Participation()
    for report in effective(history):
        if problem := state.apply(report):
            return state, problem
    return state, None


class Track:
    """One participation's history with its state after that history, kept while a batch is
    validated: a new report is tried on a copy of the state instead of replaying the whole
    history (a participant's reports arrive weekly, so replaying made every batch quadratic
    in the history's length). A correction changes the history itself and is replayed, as is
    everything after a history that does not replay cleanly."""

    def __init__(self, history: Sequence[Report]) -> None:
        self.history = list(history)
        self.state, problem = replay(self.history)
        self._clean = problem is None

    def after(self, report: Report) -> tuple[Participation, Problem | None]:
        """What ``replay([*history, report])`` gives, without replaying a clean history."""
        if report.corrects_report_id is None and self._clean:
            state = self.state.copy()
            return state, state.apply(report)
        return replay([*self.history, report])

    def append(self, report: Report, after: Participation) -> None:
        """Record an accepted ``report``; ``after`` is the state :meth:`after` gave for it
        (without a problem, so the longer history replays cleanly too)."""
        self.history.append(report)
        self.state = after
        self._clean = True
