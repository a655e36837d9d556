"""Provider reports are consistent in time (issue 16): the attendance periods of one
participation never overlap — a correction replaces its original, it does not add to it —
and nothing is dated outside the course or before the enrolment. Pure domain, no I/O."""

from __future__ import annotations

from datetime import date

from ankommen.progress.domain.catalogue import Course
from ankommen.progress.domain.participation import Track, replay
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.progress.domain.validation import assess
from ankommen.progress.entrypoints.texts import CATALOGUE
from ankommen.progress.service.announcements import facts
from ankommen.progress.service.reporting import parse_report
from ankommen.shared.events.contracts.progress import AttendanceBand, ReportBase
from ankommen.shared.web.i18n import Translator
from tests.progress.unit.placement import COURSE, PLACEMENT

TODAY = date(2026, 12, 4)


def report(kind: str, report_id: str, **fields: object) -> ReportBase:
    parsed, problems = parse_report({"kind": kind, "report_id": report_id,
                                     "referral_code": "REF-0001", **fields})
    assert parsed is not None, problems
    return parsed


ENROLMENT = report("enrolment", "e-1", started_on="2026-10-05")


def attendance(report_id: str, start: str, end: str, attended: float = 60,
               corrects: str | None = None) -> ReportBase:
    return report("attendance", report_id, period_start=start, period_end=end,
                  hours_attended=attended, hours_planned=80, corrects_report_id=corrects)


def submit(*reports: ReportBase, history: tuple[ReportBase, ...] = (ENROLMENT,),
           course: Course = COURSE) -> tuple[list[ReportBase], list[list[Problem]], Track]:
    """Judge ``reports`` one after the other as one batch does; the accepted ones, every
    report's problems, and the track after them."""
    track, accepted, verdicts = Track(list(history)), [], []
    for item in reports:
        problems, after = assess(item, provider_id="vhs-a", placement=PLACEMENT,
                                 course=course, track=track, today=TODAY)
        verdicts.append(problems)
        if after is not None:
            track.append(item, after)
            accepted.append(item)
    return accepted, verdicts, track


def test_the_walk_through_keeps_only_the_first_of_three_overlapping_periods():
    """The issue's walk-through: 1–30 November, then 2–27 November twice under different
    report ids — only the first counts, the others are refused naming it."""
    november = attendance("nov", "2026-11-01", "2026-11-30")
    again = attendance("nov-b", "2026-11-02", "2026-11-27", attended=50)
    third = attendance("nov-c", "2026-11-02", "2026-11-27", attended=50)
    accepted, verdicts, track = submit(november, again, third)
    assert accepted == [november]
    expected = Problem("period_start", "overlaps the attendance reported for 2026-11-01 to "
                       "2026-11-30 (report nov); to replace that report, name it in "
                       "corrects_report_id", ProblemKind.CONFLICT, "problem.overlap")
    assert verdicts[1:] == [[expected], [expected]]
    assert verdicts[1][0].values == {"start": date(2026, 11, 1), "end": date(2026, 11, 30),
                                     "report_id": "nov"}
    assert track.state.hours_attended == 60


def test_a_correction_replaces_the_period_it_names_and_counts_once():
    november = attendance("nov", "2026-11-01", "2026-11-30")
    corrected = attendance("nov-2", "2026-11-02", "2026-11-27", attended=50, corrects="nov")
    accepted, verdicts, track = submit(november, corrected)
    assert accepted == [november, corrected] and verdicts == [[], []]
    assert (track.state.hours_attended, track.state.hours_planned) == (50, 80)
    assert [period.report_id for period in track.state.attendance] == ["nov-2"]


def test_a_period_running_into_a_later_one_names_its_end():
    _, [_, problems], _ = submit(attendance("nov", "2026-11-01", "2026-11-30"),
                                 attendance("oct", "2026-10-05", "2026-11-01"))
    assert [(problem.field, problem.values["report_id"]) for problem in problems] == [
        ("period_end", "nov")]


def test_a_period_enclosing_an_earlier_one_is_refused():
    _, [_, problems], _ = submit(attendance("mid", "2026-11-10", "2026-11-12"),
                                 attendance("nov", "2026-11-01", "2026-11-30"))
    assert [problem.field for problem in problems] == ["period_end"]


def test_adjacent_periods_do_not_overlap():
    _, verdicts, track = submit(attendance("oct", "2026-10-05", "2026-10-31"),
                                attendance("nov", "2026-11-01", "2026-11-30"),
                                attendance("dec", "2026-12-01", "2026-12-01", attended=4))
    assert verdicts == [[], [], []] and track.state.hours_attended == 124


def test_a_correction_may_not_move_its_period_onto_another_one():
    oct_, nov = (attendance("oct", "2026-10-05", "2026-10-31"),
                 attendance("nov", "2026-11-01", "2026-11-30"))
    moved = attendance("oct-2", "2026-10-05", "2026-11-03", corrects="oct")
    _, verdicts, _ = submit(oct_, nov, moved)
    assert [(problem.field, problem.values["report_id"]) for problem in verdicts[2]] == [
        ("period_end", "nov")]


def test_a_retracted_period_is_free_again():
    november = attendance("nov", "2026-11-01", "2026-11-30")
    retraction = report("retraction", "nov-x", corrects_report_id="nov")
    again = attendance("nov-2", "2026-11-02", "2026-11-27")
    _, verdicts, _ = submit(november, retraction, again)
    assert verdicts == [[], [], []]


def test_overlaps_stored_before_the_rule_do_not_block_the_participation():
    """A history accepted before the rule (the walk-through's three periods) still replays:
    the provider can complete the participation and repair the history by retracting one
    report at a time, while a new overlapping period is refused."""
    stored = (ENROLMENT, attendance("nov", "2026-11-01", "2026-11-30"),
              attendance("nov-b", "2026-11-02", "2026-11-27", attended=50),
              attendance("nov-c", "2026-11-02", "2026-11-27", attended=50))
    assert replay(stored)[1] is None
    _, verdicts, track = submit(
        attendance("nov-d", "2026-11-15", "2026-11-16"),
        report("retraction", "x-b", corrects_report_id="nov-b"),
        report("retraction", "x-c", corrects_report_id="nov-c"),
        report("completion", "done", completed_on="2026-12-01"), history=stored)
    assert [problem.field for problem in verdicts[0]] == ["period_start"]
    assert verdicts[1:] == [[], [], []] and track.state.hours_attended == 60


def test_a_completion_after_a_correction_counts_the_attendance_once():
    """Monitoring's attendance band comes from the participation after the report: with a
    correction in place of its original, 50 of 80 hours (62 %), not 110 of 160."""
    completion = report("completion", "done", completed_on="2026-12-01")
    _, _, track = submit(attendance("nov", "2026-11-01", "2026-11-30", attended=80),
                         attendance("nov-2", "2026-11-01", "2026-11-30", attended=50,
                                    corrects="nov"),
                         completion)
    [fact] = facts(completion, COURSE, track.state)
    assert fact.attendance_band is AttendanceBand.FROM_50_TO_75


def test_attendance_outside_the_course_period_names_the_field():
    short = Course(**{**COURSE.__dict__, "ends_on": date(2026, 11, 20)})
    _, [problems], _ = submit(attendance("nov", "2026-11-01", "2026-11-30"), course=short)
    assert [(problem.field, problem.reason) for problem in problems] == [
        ("period_end", "outside the course period (2026-09-01 to 2026-11-20)")]
    before = report("enrolment", "e-0", started_on="2026-08-31")
    _, [problems], _ = submit(before, history=())
    assert [problem.field for problem in problems] == ["started_on"]


def test_reports_dated_before_the_enrolment_are_refused_on_the_field():
    early = attendance("sep", "2026-09-28", "2026-10-10")
    exam = report("exam_result", "x-1", exam="dtz", taken_on="2026-10-01", passed=False)
    leaving = report("discontinuation", "d-1", discontinued_on="2026-10-04", reason="work")
    _, verdicts, _ = submit(early, exam, leaving)
    assert [[(problem.field, problem.reason) for problem in problems]
            for problems in verdicts] == [
        [("period_start", "before the enrolment (2026-10-05)")],
        [("taken_on", "before the enrolment (2026-10-05)")],
        [("discontinued_on", "before the enrolment (2026-10-05)")]]


def test_the_refusals_read_in_german_on_german_pages():
    _, [_, [overlap]], _ = submit(attendance("nov", "2026-11-01", "2026-11-30"),
                                  attendance("nov-b", "2026-11-02", "2026-11-27"))
    _, [[early]], _ = submit(attendance("sep", "2026-09-28", "2026-10-10"))
    german, english = Translator(CATALOGUE, "de"), Translator(CATALOGUE, "en")
    assert german(overlap.text, **overlap.values).startswith(
        "überschneidet sich mit der Anwesenheit, die für 01.11.2026 bis 30.11.2026 gemeldet "
        "wurde (Meldung nov)")
    assert english(overlap.text, **overlap.values) == overlap.reason
    assert german(early.text, **early.values) == "vor dem Kurseintritt (05.10.2026)"
    assert english(early.text, **early.values) == early.reason
