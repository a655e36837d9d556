"""The one validation path, as pure functions: ownership, dates, hours, levels, corrections
and the participation state machine."""

from __future__ import annotations

from datetime import date, timedelta

from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.progress.domain.participation import (
    Standing,
    Status,
    Track,
    effective,
    replay,
    standings,
)
from ankommen.progress.domain.problems import ProblemKind
from ankommen.progress.domain.validation import assess, validate
from ankommen.progress.service.reporting import Verdict, parse_report, rejected
from tests.progress.unit.placement import COURSE, PLACEMENT

TODAY = date(2026, 11, 20)


def report(kind: str, report_id: str = "r-1", **fields):  # noqa: ANN201
    parsed, problems = parse_report({"kind": kind, "report_id": report_id,
                                     "referral_code": "REF-0001", **fields})
    assert not problems, problems
    return parsed


def enrolment(report_id: str = "e-1", started_on: str = "2026-09-01"):  # noqa: ANN201
    return report("enrolment", report_id, started_on=started_on)


def attendance(report_id: str = "a-1", attended: float = 30, planned: float = 40):  # noqa: ANN201
    return report("attendance", report_id, period_start="2026-10-01", period_end="2026-10-31",
                  hours_attended=attended, hours_planned=planned)


def check(new, history=(), provider_id: str = "vhs-a", placement=PLACEMENT,  # noqa: ANN001
          course=COURSE):  # noqa: ANN001, ANN201
    return validate(new, provider_id=provider_id, placement=placement, course=course,
                    history=list(history), today=TODAY)


def fields(problems) -> list[str]:  # noqa: ANN001
    return [problem.field for problem in problems]


def test_a_valid_enrolment_passes():
    assert check(enrolment()) == []


def test_another_providers_referral_code_is_forbidden():
    [problem] = check(enrolment(), provider_id="vhs-b")
    assert (problem.field, problem.kind) == ("referral_code", ProblemKind.FORBIDDEN)


def test_an_unknown_referral_code_gets_the_same_answer_as_a_foreign_one():
    assert check(enrolment(), placement=None) == check(enrolment(), provider_id="vhs-b")


def test_a_withdrawn_placement_takes_no_reports():
    withdrawn = Placement(**{**PLACEMENT.__dict__, "status": PlacementStatus.WITHDRAWN})
    [problem] = check(enrolment(), placement=withdrawn)
    assert problem.field == "referral_code" and "withdrawn" in problem.reason


def test_a_cancelled_course_takes_no_enrolments():
    cancelled = Course(**{**COURSE.__dict__, "cancelled": True})
    [problem] = check(enrolment(), course=cancelled)
    assert (problem.field, problem.reason) == ("referral_code", "the course was cancelled")


def test_dates_in_the_future_are_refused():
    [problem] = check(enrolment(started_on=(TODAY + timedelta(days=1)).isoformat()))
    assert (problem.field, problem.reason) == ("started_on", "in the future")


def test_dates_outside_the_course_period_are_refused():
    [problem] = check(enrolment(started_on="2026-08-31"))
    assert problem.field == "started_on" and "outside the course period" in problem.reason


def test_attendance_before_enrolment_is_a_conflict():
    [problem] = check(attendance())
    assert (problem.field, problem.kind) == ("kind", ProblemKind.CONFLICT)


def test_more_hours_attended_than_planned_is_refused_by_the_shape_check():
    _, problems = parse_report({"kind": "attendance", "report_id": "a", "referral_code":
                                "REF-0001", "period_start": "2026-10-01",
                                "period_end": "2026-10-31", "hours_attended": 41.5,
                                "hours_planned": 40})
    assert fields(problems) == ["hours_attended"]


def test_planned_hours_above_the_course_hours_are_refused():
    [problem] = check(attendance(attended=10, planned=800), [enrolment()])
    assert problem.field == "hours_planned"


def test_invalid_levels_name_the_field():
    _, problems = parse_report({"kind": "exam_result", "report_id": "x", "referral_code":
                                "REF-0001", "exam": "dtz", "taken_on": "2026-11-01",
                                "passed": True, "level_reached": "B7"})
    assert fields(problems) == ["level_reached"]


def test_a_dtz_cannot_certify_c1():
    exam = report("exam_result", "x-1", exam="dtz", taken_on="2026-11-01", passed=True,
                  level_reached="C1")
    assert fields(check(exam, [enrolment()])) == ["level_reached"]


def test_nothing_but_corrections_after_completion():
    done = report("completion", "c-1", completed_on="2026-11-10")
    assert fields(check(attendance(), [enrolment(), done])) == ["kind"]
    corrected = report("completion", "c-2", completed_on="2026-11-12", corrects_report_id="c-1")
    assert check(corrected, [enrolment(), done]) == []


def test_a_correction_must_keep_the_kind_of_its_original():
    wrong = report("completion", "c-2", completed_on="2026-11-12", corrects_report_id="a-1")
    assert fields(check(wrong, [enrolment(), attendance()])) == ["kind"]


def test_a_retraction_that_breaks_the_history_is_refused():
    retract_enrolment = report("retraction", "x-9", corrects_report_id="e-1")
    assert fields(check(retract_enrolment, [enrolment(), attendance()])) == ["kind"]


def test_only_the_current_version_can_be_corrected():
    first = report("exam_result", "x-1", exam="dtz", taken_on="2026-11-01", passed=True,
                   level_reached="A2")
    second = report("exam_result", "x-2", exam="dtz", taken_on="2026-11-01", passed=True,
                    level_reached="B1", corrects_report_id="x-1")
    third = report("exam_result", "x-3", exam="dtz", taken_on="2026-11-01", passed=True,
                   level_reached="B1", corrects_report_id="x-1")
    assert fields(check(third, [enrolment(), first, second])) == ["corrects_report_id"]


def test_history_replay_puts_corrections_in_place_and_drops_retractions():
    first = attendance("a-1", attended=10)
    corrected = report("attendance", "a-2", period_start="2026-10-01",
                       period_end="2026-10-31", hours_attended=20, hours_planned=40,
                       corrects_report_id="a-1")
    extra = attendance("a-3", attended=5)
    retraction = report("retraction", "a-4", corrects_report_id="a-3")
    history = [enrolment(), first, corrected, extra, retraction]
    assert [item.report_id for item in effective(history)] == ["e-1", "a-2"]
    state, problem = replay(history)
    assert problem is None and state.status is Status.ENROLLED and state.hours_attended == 20
    assert standings(history) == {"e-1": Standing.EFFECTIVE, "a-1": Standing.SUPERSEDED,
                                  "a-2": Standing.EFFECTIVE, "a-3": Standing.RETRACTED,
                                  "a-4": Standing.EFFECTIVE}


def test_interruption_and_resumption_follow_the_state_machine():
    pause = report("interruption", "i-1", interrupted_on="2026-10-05", reason="illness")
    back = report("resumption", "i-2", resumed_on="2026-10-01")
    assert fields(check(back, [enrolment(), pause])) == ["resumed_on"]
    assert fields(check(report("resumption", "i-3", resumed_on="2026-10-20"),
                        [enrolment()])) == ["kind"]


def test_a_track_judges_each_report_as_a_replay_of_the_whole_history_would():
    """Track applies new reports to the kept state and replays only corrections: every
    verdict and state along a history with corrections, retractions and refusals must be
    what replaying the history with the report gives."""
    candidates = [
        attendance("a-0"),  # before the enrolment: refused
        enrolment(),
        attendance("a-1", attended=10),
        enrolment("e-2"),  # already enrolled: refused
        report("attendance", "a-2", period_start="2026-10-01", period_end="2026-10-31",
               hours_attended=20, hours_planned=40, corrects_report_id="a-1"),
        attendance("a-6", attended=5),  # overlaps a-2: refused
        report("attendance", "a-3", period_start="2026-11-01", period_end="2026-11-07",
               hours_attended=5, hours_planned=10),
        report("retraction", "a-4", corrects_report_id="a-3"),
        report("retraction", "e-3", corrects_report_id="e-1"),  # attendance remains: refused
        report("exam_result", "x-1", exam="dtz", taken_on="2026-11-01", passed=True,
               level_reached="B1"),
        report("completion", "c-1", completed_on="2026-11-10", level_reached="B1"),
        attendance("a-5", attended=1),  # after completion: refused
    ]
    track, history = Track([]), []
    for candidate in candidates:
        problems, after = assess(candidate, provider_id="vhs-a", placement=PLACEMENT,
                                 course=COURSE, track=track, today=TODAY)
        assert problems == check(candidate, history), candidate.report_id
        if not problems:
            expected, problem = replay([*history, candidate])
            assert problem is None and after == expected, candidate.report_id
            track.append(candidate, after)
            history.append(candidate)
    assert [item.report_id for item in history] == ["e-1", "a-1", "a-2", "a-3", "a-4", "x-1",
                                                    "c-1"]
    assert track.state == replay(history)[0]
    assert track.state.status is Status.COMPLETED and track.state.hours_attended == 20


def test_a_kind_that_is_a_list_or_an_object_is_refused_not_a_crash():
    """The attack: a provider (or anyone holding its token or topic) sends ``"kind": []`` or
    ``"kind": {}``. Checking such a value against the known kinds raised TypeError
    (unhashable), which answered the batch with a 500 and retried the Kafka report into the
    dead-letter topic instead of refusing it with a reason."""
    for kind in ([], {}, ["enrolment"], {"enrolment": 1}):
        raw = {"kind": kind, "report_id": "r-1", "referral_code": "ABC-DEF-GHJ"}
        report, problems = parse_report(raw)
        assert report is None
        assert "kind" in fields(problems)
        outcome = rejected(raw, problems)
        assert outcome.verdict is Verdict.REJECTED
        assert outcome.kind is None
        assert (outcome.report_id, outcome.referral_code) == ("r-1", "ABC-DEF-GHJ")
