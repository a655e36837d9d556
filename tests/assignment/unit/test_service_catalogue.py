"""The catalogue's use cases on the fakes: publish, change, cancel, approve and return a course,
who may see and do what, and what each stores, announces and refuses (a refusal commits
nothing)."""

from __future__ import annotations

import pytest

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service import catalogue
from ankommen.shared.errors import Conflict, DomainError, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import (
    CourseApproval,
    CoursePublished,
    CourseStatus,
    CourseUpdated,
)
from tests.assignment.unit.fake_county import (
    COORDINATOR,
    MANUAL,
    POLICY,
    committed,
    county,
    course,
    kinds,
    placement_of,
    provider,
    published,
    registered,
)


async def test_a_coordinators_course_is_stored_approved_announced_and_allocated_at_once():
    database = county()
    waiting = await registered(database)
    assert database.tables.placements == {}
    stored = await committed(database, lambda uow: catalogue.publish_course(
        uow, COORDINATOR, course("c-1", approval=None, postponed_from="2031-01-01"),
        policy=POLICY))
    assert stored.approval is CourseApproval.APPROVED and stored.postponed_from is None
    assert database.tables.courses["c-1"] == stored
    assert [review.note for review in database.tables.reviews] == ["approved on creation"]
    assert kinds(database)[-2:] == ["course_published.v1", "placement_offered.v1"]
    assert database.events(CoursePublished)[0].course == stored
    assert placement_of(database, waiting).status is PlacementStatus.OFFERED


async def test_a_providers_course_is_a_draft_nobody_is_placed_in():
    database = county()
    waiting = await registered(database)
    stored = await committed(database, lambda uow: catalogue.publish_course(
        uow, provider(), course("c-1"), policy=POLICY))
    assert stored.approval is CourseApproval.DRAFT and database.tables.reviews == []
    assert waiting in database.tables.waiting and database.tables.placements == {}


async def test_a_course_entered_after_its_start_is_running():
    database = county()
    stored = await committed(database, lambda uow: catalogue.publish_course(
        uow, COORDINATOR, course("c-1", starts_on="2031-02-01", status="planned"),
        policy=POLICY))
    assert stored.status is CourseStatus.RUNNING


@pytest.mark.parametrize(("principal", "change", "refusal", "field"), [
    (COORDINATOR, {"id": "taken"}, Conflict, "course_id"),
    (COORDINATOR, {"status": "cancelled"}, Conflict, "status"),
    (COORDINATOR, {"region_key": "03359021"}, DomainError, "region_key"),
    (provider("someone-else"), {}, Forbidden, "provider_id"),
])
async def test_publishing_refuses_and_commits_nothing(principal, change, refusal, field):
    database = county()
    await published(database, course("taken"))
    before, events = dict(database.tables.courses), len(database.published)
    with pytest.raises(refusal) as refused:
        await committed(database, lambda uow: catalogue.publish_course(
            uow, principal, course(change.pop("id", "new"), **change), policy=POLICY))
    assert refused.value.field == field
    assert database.tables.courses == before and len(database.published) == events


async def test_a_change_is_stored_and_announced_and_a_provider_widening_it_needs_approval_again():
    database = county()
    await published(database, course("c-1"))
    changed = await committed(database, lambda uow: catalogue.update_course(
        uow, provider(), course("c-1", capacity=30), policy=POLICY))
    assert changed.approval is CourseApproval.DRAFT
    assert database.tables.courses["c-1"].capacity == 30
    assert kinds(database)[-1] == "course_updated.v1"
    assert database.events(CourseUpdated)[-1].course == changed
    assert database.tables.reviews[-1].decision is CourseApproval.DRAFT


async def test_a_change_below_the_seats_taken_is_refused():
    database = county()
    await published(database, course("c-1", capacity=2))
    await registered(database)
    await registered(database)
    with pytest.raises(Conflict) as refused:
        await committed(database, lambda uow: catalogue.update_course(
            uow, COORDINATOR, course("c-1", capacity=1), policy=POLICY))
    assert refused.value.field == "capacity"
    assert database.tables.courses["c-1"].capacity == 2


async def test_cancelling_withdraws_offers_and_the_people_wait_again_with_their_place():
    database = county()
    await published(database, course("c-1"))
    person = await registered(database, days_ago=10)
    since = len(database.published)
    cancelled = await committed(database, lambda uow: catalogue.cancel_course(
        uow, COORDINATOR, "c-1", policy=POLICY))
    assert cancelled.status is CourseStatus.CANCELLED
    assert kinds(database, since)[:2] == ["course_cancelled.v1", "placement_withdrawn.v1"]
    assert placement_of(database, person).status is PlacementStatus.WITHDRAWN
    assert database.tables.waiting[person].waiting_since == placement_of(
        database, person).waiting_since
    # Cancelled again: nothing more happens.
    events = len(database.published)
    await committed(database, lambda uow: catalogue.cancel_course(
        uow, COORDINATOR, "c-1", policy=POLICY))
    assert len(database.published) == events
    # A cancelled course cannot change (nor be approved or returned).
    with pytest.raises(Conflict):
        await committed(database, lambda uow: catalogue.update_course(
            uow, COORDINATOR, course("c-1"), policy=POLICY))


async def test_a_coordinator_approves_once_and_returns_with_a_reason_providers_may_not():
    database = county()
    await committed(database, lambda uow: catalogue.publish_course(
        uow, provider(), course("c-1"), policy=POLICY))
    with pytest.raises(Forbidden):
        await committed(database, lambda uow: catalogue.approve_course(
            uow, provider(), "c-1", policy=POLICY))
    approved = await committed(database, lambda uow: catalogue.approve_course(
        uow, COORDINATOR, "c-1", policy=POLICY))
    assert approved.approval is CourseApproval.APPROVED
    events = len(database.published)
    await committed(database, lambda uow: catalogue.approve_course(
        uow, COORDINATOR, "c-1", policy=POLICY))
    assert len(database.published) == events, "approving again changes nothing"
    returned = await committed(database, lambda uow: catalogue.return_course(
        uow, COORDINATOR, "c-1", "Zeiten fehlen", policy=POLICY))
    assert returned.approval is CourseApproval.RETURNED
    reviews = await committed(database, lambda uow: catalogue.reviews_of(
        uow, provider(), "c-1"))
    assert [(review.decision, review.note) for review in reviews] == [
        (CourseApproval.APPROVED, None), (CourseApproval.RETURNED, "Zeiten fehlen")]


async def test_providers_see_only_their_own_courses_and_others_are_forbidden_not_hidden():
    database = county()
    await published(database, course("c-own"), course("c-other", provider_id="other"))
    mine = await committed(database, lambda uow: catalogue.visible_courses(uow, provider()))
    assert [each.course_id for each in mine] == ["c-own"]
    everyone = await committed(database, lambda uow: catalogue.visible_courses(
        uow, COORDINATOR))
    assert [each.course_id for each in everyone] == ["c-other", "c-own"]
    with pytest.raises(Forbidden):
        await committed(database, lambda uow: catalogue.course_for(uow, provider(), "c-other"))
    with pytest.raises(NotFound):
        await committed(database, lambda uow: catalogue.course_for(uow, COORDINATOR, "nope"))


async def test_with_allocation_by_hand_a_new_course_places_nobody():
    database = county()
    person = await registered(database, policy=MANUAL)
    await published(database, course("c-1"), policy=MANUAL)
    assert person in database.tables.waiting and database.tables.placements == {}
