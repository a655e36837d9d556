"""The course-outcome fact names the level the participant started with beside the level
reached, so that monitoring can publish levels gained — and still no pseudonym."""

from __future__ import annotations

from datetime import date

from ankommen.progress.domain.catalogue import Course
from ankommen.progress.domain.facts import ends_again
from ankommen.progress.domain.participation import Participation, Status
from ankommen.progress.service.announcements import facts
from ankommen.shared.events.contracts.progress import (
    CompletionReport,
    CourseOutcomeFact,
    DiscontinuationReport,
    EnrolmentReport,
    RetractionReport,
)

COURSE = Course("c-1", "vhs-heidekreis", "Integrationskurs", "general_integration", "03358021",
                date(2026, 1, 5), date(2026, 6, 30), 700)
ENDED = Participation(status=Status.COMPLETED, started_on=date(2026, 1, 5),
                      ended_on=date(2026, 6, 26), hours_attended=650, hours_planned=700)


def completion(level: str | None) -> CompletionReport:
    return CompletionReport(kind="completion", report_id="done-1", referral_code="ABCD-EFGH-J",
                            completed_on=date(2026, 6, 26), level_reached=level)


def test_completion_fact_carries_level_at_start_and_level_reached():
    [fact] = facts(completion("B1"), COURSE, ENDED, "A1")
    assert isinstance(fact, CourseOutcomeFact)
    assert (fact.level_at_start, fact.level_reached, fact.month, fact.district,
            fact.weeks_in_course) == ("A1", "B1", "2026-06", "03358", 24)
    assert "pseudonym" not in fact.model_dump()


def test_an_unknown_level_at_start_stays_unknown():
    [fact] = facts(completion("A2"), COURSE, ENDED)
    assert fact.level_at_start is None


def test_a_participation_ended_again_after_a_retraction_announces_no_second_outcome():
    """Completed, the completion retracted, then discontinued: the first end published the
    outcome fact, which cannot be taken back — a second would count it twice."""
    enrolled = EnrolmentReport(kind="enrolment", report_id="e-1", referral_code="ABCD-EFGH-J",
                               started_on=date(2026, 1, 5))
    retraction = RetractionReport(kind="retraction", report_id="x-1",
                                  referral_code="ABCD-EFGH-J", corrects_report_id="done-1")
    leaving = DiscontinuationReport(kind="discontinuation", report_id="d-1",
                                    referral_code="ABCD-EFGH-J",
                                    discontinued_on=date(2026, 6, 1), reason="work")
    assert not ends_again(completion("B1"), [enrolled])
    assert ends_again(leaving, [enrolled, completion("B1"), retraction])
    assert not ends_again(retraction, [enrolled, completion("B1")])
