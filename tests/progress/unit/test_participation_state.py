"""Progress's half of the one participation state machine (docs/participation.md): an
enrolment needs a placement assignment has confirmed; a declined, withdrawn or expired
placement takes no report, not even for a person progress already has as enrolled (the race:
the withdrawal wins); people enrolled in a course that is then cancelled can still be
reported to the end. And the combined state progress shows, which must equal assignment's
placement status once the events have flowed."""

from __future__ import annotations

from datetime import date

import pytest

from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.progress.domain.participation import Status
from ankommen.progress.domain.problems import ProblemKind
from ankommen.progress.domain.state import ParticipationState, combined_state
from ankommen.progress.domain.validation import NOT_CONFIRMED, validate
from ankommen.progress.entrypoints.texts import CATALOGUE
from ankommen.progress.service.reporting import parse_report
from tests.progress.unit.placement import COURSE, PLACEMENT

TODAY = date(2026, 11, 20)


def report(kind: str, report_id: str, **fields):  # noqa: ANN003, ANN201
    parsed, problems = parse_report({"kind": kind, "report_id": report_id,
                                     "referral_code": "REF-0001", **fields})
    assert not problems, problems
    return parsed


ENROLMENT = report("enrolment", "e-1", started_on="2026-09-01")
ATTENDANCE = report("attendance", "a-1", period_start="2026-10-01", period_end="2026-10-31",
                    hours_attended=30, hours_planned=40)
DISCONTINUATION = report("discontinuation", "d-1", discontinued_on="2026-11-02",
                         reason="work")


def placed(status: PlacementStatus) -> Placement:
    return Placement(**{**PLACEMENT.__dict__, "status": status})


def check(new, history=(), placement=PLACEMENT, course=COURSE):  # noqa: ANN001, ANN201
    return validate(new, provider_id="vhs-a", placement=placement, course=course,
                    history=list(history), today=TODAY)


def test_an_enrolment_of_an_unconfirmed_offer_is_refused_naming_the_referral_code():
    [problem] = check(ENROLMENT, placement=placed(PlacementStatus.OFFERED))
    assert (problem.field, problem.reason, problem.kind) == (
        "referral_code", "the placement is not confirmed yet: confirm it first",
        ProblemKind.CONFLICT)
    assert problem.reason == NOT_CONFIRMED
    assert check(ENROLMENT, placement=placed(PlacementStatus.CONFIRMED)) == []


@pytest.mark.parametrize("status", [PlacementStatus.DECLINED, PlacementStatus.WITHDRAWN,
                                    PlacementStatus.EXPIRED])
def test_an_ended_placement_takes_no_report_even_for_someone_enrolled(
        status: PlacementStatus):
    for new, history in ((ENROLMENT, ()), (ATTENDANCE, [ENROLMENT]),
                         (DISCONTINUATION, [ENROLMENT])):
        [problem] = check(new, history, placement=placed(status))
        assert (problem.field, problem.reason, problem.kind) == (
            "referral_code", f"the placement was {status.value}", ProblemKind.CONFLICT)
        assert problem.text == f"problem.placement_{status.value}"


def test_a_cancelled_course_refuses_new_enrolments_but_takes_the_end_of_an_enrolled_one():
    cancelled = Course(**{**COURSE.__dict__, "cancelled": True})
    [problem] = check(ENROLMENT, course=cancelled)
    assert (problem.field, problem.reason) == ("referral_code", "the course was cancelled")
    assert check(DISCONTINUATION, [ENROLMENT], course=cancelled) == []
    # A corrected start day of an accepted enrolment is no new enrolment.
    corrected = report("enrolment", "e-2", started_on="2026-09-02", corrects_report_id="e-1")
    assert check(corrected, [ENROLMENT], course=cancelled) == []


def test_every_refusal_of_the_state_machine_reads_in_german_on_the_pages():
    keys = ["problem.not_confirmed", "problem.course_cancelled",
            *(f"problem.placement_{status}" for status in ("declined", "withdrawn", "expired"))]
    for key in keys:
        assert CATALOGUE[key]["de"] and CATALOGUE[key]["en"], key
    assert "nicht bestätigt" in CATALOGUE["problem.not_confirmed"]["de"]
    assert CATALOGUE["problem.not_confirmed"]["en"] == NOT_CONFIRMED


@pytest.mark.parametrize(("placement", "participation", "state"), [
    (PlacementStatus.OFFERED, Status.REFERRED, ParticipationState.OFFERED),
    (PlacementStatus.CONFIRMED, Status.REFERRED, ParticipationState.CONFIRMED),
    (PlacementStatus.CONFIRMED, Status.ENROLLED, ParticipationState.ENROLLED),
    (PlacementStatus.CONFIRMED, Status.INTERRUPTED, ParticipationState.ENROLLED),
    (PlacementStatus.CONFIRMED, Status.COMPLETED, ParticipationState.COMPLETED),
    (PlacementStatus.CONFIRMED, Status.DISCONTINUED, ParticipationState.DISCONTINUED),
    (PlacementStatus.DECLINED, Status.REFERRED, ParticipationState.DECLINED),
    (PlacementStatus.EXPIRED, Status.REFERRED, ParticipationState.EXPIRED),
    # The race: progress accepted the enrolment, assignment had withdrawn the placement.
    (PlacementStatus.WITHDRAWN, Status.ENROLLED, ParticipationState.WITHDRAWN),
])
def test_the_combined_state_is_assignments_word_once_the_events_have_flowed(
        placement: PlacementStatus, participation: Status, state: ParticipationState):
    assert combined_state(placement, participation) is state


def test_every_combined_state_reads_as_a_word_on_the_pages():
    for state in ParticipationState:
        assert CATALOGUE[f"state.{state.value}"]["de"], state
