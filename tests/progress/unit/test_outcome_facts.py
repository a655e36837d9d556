"""The course-outcome fact names the level the participant started with beside the level
reached, so that monitoring can publish levels gained — and still no pseudonym."""

from __future__ import annotations

from datetime import date

from ankommen.progress.domain.catalogue import Course
from ankommen.progress.domain.participation import Participation, Status
from ankommen.progress.service.announcements import facts
from ankommen.shared.events.contracts.progress import CompletionReport, CourseOutcomeFact

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
