"""Which courses are the county's offer (pure rules): a coordinator's course is approved as it
is created, anybody else's is a draft; a provider's change that widens an approved course
(more seats, other dates, region, type …) needs a coordinator again, a narrowing one does not;
allocation offers only approved, bookable courses in the county's districts."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from ankommen.assignment.domain.approval import (
    approval_after_change,
    approval_on_creation,
    in_county,
    needs_new_approval,
)
from ankommen.assignment.domain.courses import Seats
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseApproval,
    CourseContact,
    CourseStatus,
    Venue,
)
from ankommen.shared.events.contracts.vocabulary import CourseType
from tests.assignment.builders import TODAY, course

APPROVED = course(approval=CourseApproval.APPROVED)
COUNTY = frozenset({"03358"})


def changed(**update: object) -> Course:
    return APPROVED.model_copy(update=update)


def test_a_coordinators_course_is_approved_on_creation_anybody_elses_is_a_draft() -> None:
    assert approval_on_creation(by_approver=True) is CourseApproval.APPROVED
    assert approval_on_creation(by_approver=False) is CourseApproval.DRAFT


@pytest.mark.parametrize("update", [
    {"capacity": 500}, {"childcare_places": 6}, {"region_key": "03358001"},
    {"starts_on": APPROVED.starts_on + timedelta(days=7)},
    {"ends_on": APPROVED.ends_on + timedelta(days=365)}, {"course_type": CourseType.LITERACY},
    {"title": "Anderer Kurs"}, {"provider_id": "vhs-other"}, {"latitude": 52.9},
    # Keeping late entry open longer draws more people in: the coordinator's decision.
    {"entry_until": APPROVED.ends_on - timedelta(days=1)},
    # What the person's invitation letter prints (issue 18): a provider must not send people
    # to another address or number once a coordinator approved the course.
    {"venue": Venue(name="Anderswo", street="Weg 1", postal_code="29614", city="Soltau")},
    {"contact": CourseContact(name="Büro", phone="0800 123456")},
    {"daily_start": time(7, 0)}, {"provider_name": "Andere Schule"},
    {"what_to_bring": "200 Euro in bar"},
])
def test_a_provider_widening_an_approved_course_makes_it_a_draft_again(update: dict) -> None:
    assert needs_new_approval(APPROVED, changed(**update))
    assert approval_after_change(APPROVED, changed(**update),
                                 by_approver=False) is CourseApproval.DRAFT


@pytest.mark.parametrize("update", [
    {"capacity": 10}, {"childcare_places": 0}, {"status": CourseStatus.RUNNING},
    {"minimum_participants": 3}, {"transport_offered": True}, {},
])
def test_a_provider_narrowing_an_approved_course_keeps_its_approval(update: dict) -> None:
    assert not needs_new_approval(APPROVED, changed(**update))
    assert approval_after_change(APPROVED, changed(**update),
                                 by_approver=False) is CourseApproval.APPROVED


def test_a_coordinators_change_keeps_the_approval_and_a_returned_course_is_resubmitted() -> None:
    assert approval_after_change(APPROVED, changed(capacity=500),
                                 by_approver=True) is CourseApproval.APPROVED
    returned = changed(approval=CourseApproval.RETURNED)
    assert approval_after_change(returned, returned.model_copy(update={"capacity": 10}),
                                 by_approver=False) is CourseApproval.DRAFT
    assert approval_after_change(returned, returned,
                                 by_approver=True) is CourseApproval.RETURNED


@pytest.mark.parametrize(("course", "offered"), [
    (APPROVED, True),
    (changed(approval=CourseApproval.DRAFT), False),
    (changed(approval=CourseApproval.RETURNED), False),
    (changed(approval=None), False),
    (changed(region_key="09162000"), False),
    # Running is bookable (the day turn sets it on the start day); the dates decide entry.
    (changed(status=CourseStatus.RUNNING), True),
    (changed(status=CourseStatus.COMPLETED), False),
    (changed(status=CourseStatus.CANCELLED), False),
])
def test_allocation_offers_only_approved_bookable_courses_of_the_county(
        course: Course, offered: bool) -> None:
    assert Seats(course, free_seats=20, free_childcare=5).offered(COUNTY, TODAY) is offered
    assert in_county(APPROVED, COUNTY) and not in_county(changed(region_key="09162000"),
                                                         COUNTY)
