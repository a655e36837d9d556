"""A coordinator's decisions on a course on the fakes: postponing it, and the what-if the
confirmation pages show before approving, returning, cancelling or postponing — run on the
page's read unit (:mod:`ankommen.assignment.service.views`), it must store and announce
nothing."""

from __future__ import annotations

from datetime import date

import pytest

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service import catalogue
from ankommen.assignment.service.course_actions import InvalidPostponement, postpone_course
from ankommen.assignment.service.views import course_views
from ankommen.shared.errors import Conflict, Forbidden
from ankommen.shared.events.contracts.assignment import CourseStatus, WithdrawalReason
from tests.assignment.unit.fake_county import (
    COORDINATOR,
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


async def test_a_postponed_course_moves_its_dates_and_its_people_are_reallocated():
    database = county()
    await published(database, course("c-1", capacity=1))
    person = await registered(database, days_ago=9)
    await published(database, course("c-2", starts_on="2031-04-01"))
    since = len(database.published)
    moved = await committed(database, lambda uow: postpone_course(
        uow, COORDINATOR, "c-1", date(2031, 3, 30), policy=POLICY))
    assert (moved.starts_on, moved.ends_on, moved.postponed_from) == (
        date(2031, 3, 30), date(2031, 9, 14), date(2031, 3, 16))
    assert database.tables.courses["c-1"] == moved
    assert kinds(database, since)[:2] == ["course_updated.v1", "placement_withdrawn.v1"]
    assert database.published[since + 1].data.reason is WithdrawalReason.COURSE_POSTPONED
    offered = [record for record in database.tables.placements.values()
               if record.pseudonym == person and record.status is PlacementStatus.OFFERED]
    assert len(offered) == 1, "placed again (in either course)"


@pytest.mark.parametrize(("principal", "starts_on", "refusal"), [
    (provider(), date(2031, 4, 1), Forbidden),
    (COORDINATOR, date(2031, 3, 10), InvalidPostponement),
    (COORDINATOR, date(2032, 4, 1), InvalidPostponement),
])
async def test_a_postponement_is_refused_and_changes_nothing(principal, starts_on, refusal):
    database = county()
    await published(database, course("c-1"))
    await registered(database)
    before, events = dict(database.tables.placements), len(database.published)
    with pytest.raises(refusal):
        await committed(database, lambda uow: postpone_course(
            uow, principal, "c-1", starts_on, policy=POLICY))
    assert database.tables.placements == before and len(database.published) == events


async def test_a_started_course_cannot_be_postponed():
    database = county()
    await published(database, course("c-1", starts_on="2031-03-01"))
    with pytest.raises(Conflict) as refused:
        await committed(database, lambda uow: postpone_course(
            uow, COORDINATOR, "c-1", date(2031, 4, 1), policy=POLICY))
    assert refused.value.field in ("starts_on", "status")


async def test_the_what_if_shows_who_loses_and_who_gets_a_seat_and_keeps_nothing():
    database = county()
    await published(database, course("c-1", capacity=1), course("c-2", capacity=1,
                                                                 starts_on="2031-04-01"))
    first = await registered(database, days_ago=9)
    second = await registered(database, days_ago=5)
    third = await registered(database, days_ago=1)
    assert third in database.tables.waiting
    stored, events, commits = (dict(database.tables.placements), len(database.published),
                               database.commits)
    seat = placement_of(database, first)
    async with course_views(database.uow, COORDINATOR, ()) as read:
        outcome = await read.consequences(seat.course_id, lambda uow: catalogue.cancel_course(
            uow, COORDINATOR, seat.course_id, policy=POLICY), policy=POLICY)
    assert outcome.course.status is CourseStatus.CANCELLED
    assert [record.pseudonym for record in outcome.losing] == [first]
    assert outcome.seats_freed == 1
    assert {offer.pseudonym for offer in outcome.offers} <= {first, second, third}
    assert (database.tables.placements, len(database.published), database.commits) == (
        stored, events, commits)
    assert database.tables.courses[seat.course_id].status is CourseStatus.OPEN


async def test_the_what_if_raises_the_refusals_of_the_use_case():
    database = county()
    await published(database, course("c-1"))
    with pytest.raises(Forbidden):
        async with course_views(database.uow, COORDINATOR, ()) as read:
            await read.consequences("c-1", lambda uow: catalogue.approve_course(
                uow, provider(), "c-1", policy=POLICY), policy=POLICY)
