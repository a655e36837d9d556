"""Allocation on the fakes: a dry run, a run that places, the scheduled round with its day turn,
and the incremental step's kept candidate index — what each stores and announces (facts for
monitoring included), and that a second run finds nothing more to do."""

from __future__ import annotations

from datetime import timedelta

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service.allocation import allocate_now, run_allocation
from ankommen.assignment.service.handlers import CASE_EVENTS, applying_then_allocating
from ankommen.assignment.service.manual_placement import ManualPlacementRequest, place_by_hand
from ankommen.assignment.service.placement_index import placement_index
from ankommen.assignment.service.schedule import allocation_round
from ankommen.shared.events.contracts.assignment import (
    CourseCapacityFact,
    DemandUnmetFact,
    PlacementMadeFact,
    Waitlisted,
    WaitlistReason,
)
from ankommen.shared.messaging.consumer import Delivery
from tests.assignment.unit.fake_county import (
    COORDINATOR,
    MANUAL,
    POLICY,
    TODAY,
    committed,
    consumed,
    county,
    course,
    kinds,
    placement_of,
    published,
    registered,
    registration,
)
from tests.support.event_examples import decoded


async def waiting_county():  # noqa: ANN201
    """Courses published and two people registered while coordinators allocate by hand."""
    database = county()
    await published(database, course("c-1", capacity=1), policy=MANUAL)
    first = await registered(database, days_ago=10, policy=MANUAL)
    second = await registered(database, days_ago=3, policy=MANUAL)
    return database, first, second


async def test_a_dry_run_proposes_and_keeps_nothing():
    database, first, second = await waiting_county()
    state = (dict(database.tables.placements), dict(database.tables.waiting),
             database.tables.allocation_runs, len(database.published))
    outcome = await committed(database, lambda uow: run_allocation(
        uow, today=TODAY, priority=POLICY.priority, districts=POLICY.districts, dry_run=True))
    assert [proposed.pseudonym for proposed in outcome.allocation.placements] == [first]
    assert [waiting.pseudonym for waiting in outcome.allocation.waiting] == [second]
    assert outcome.placement_ids == {}
    assert (dict(database.tables.placements), dict(database.tables.waiting),
            database.tables.allocation_runs, len(database.published)) == state


async def test_a_run_places_the_longest_waiting_and_says_why_the_others_wait():
    database, first, second = await waiting_county()
    since = len(database.published)
    outcome = await committed(database, lambda uow: allocate_now(uow, POLICY, TODAY))
    record = placement_of(database, first)
    assert outcome.placement_ids == {first: record.placement_id}
    assert record.status is PlacementStatus.OFFERED and first not in database.tables.waiting
    assert database.tables.waiting[second].reason == WaitlistReason.COURSES_FULL.value
    assert kinds(database, since) == ["placement_offered.v1", "waitlisted.v1"]
    assert database.events(Waitlisted)[-1].pseudonym == second
    made = database.events(PlacementMadeFact)
    assert len(made) == 1 and made[0].month == "2031-03"
    [unmet] = database.events(DemandUnmetFact)
    assert unmet.reason is WaitlistReason.COURSES_FULL
    assert database.events(CourseCapacityFact)[-1].seats_taken == 1
    # Again: nobody new is placed, nothing is announced twice.
    since = len(database.published)
    again = await committed(database, lambda uow: allocate_now(uow, POLICY, TODAY))
    assert again.placement_ids == {} and database.published[since:] == []


async def test_the_scheduled_round_turns_the_day_and_commits_or_keeps_nothing():
    database, first, _ = await waiting_county()
    assert await allocation_round(database.uow, POLICY)
    record = placement_of(database, first)
    assert record.expires_on is not None
    # After the offer's last day the round expires it; the person waits again, their place
    # kept, and is not offered that course again.
    database.clock.advance(timedelta(days=(record.expires_on - TODAY).days + 1))
    since = len(database.published)
    assert await allocation_round(database.uow, POLICY)
    assert placement_of(database, first).status is PlacementStatus.EXPIRED
    assert "placement_expired.v1" in kinds(database, since)
    assert database.tables.waiting[first].waiting_since == record.waiting_since
    # A second round on the same day finds nothing to do.
    since = len(database.published)
    assert await allocation_round(database.uow, POLICY)
    assert kinds(database, since) == []


async def test_a_failing_round_reports_it_and_keeps_nothing(monkeypatch):
    database, first, _ = await waiting_county()

    async def failing(*_: object, **__: object) -> None:
        raise ConnectionError("database away")

    monkeypatch.setattr("ankommen.assignment.service.schedule.reallocate", failing)
    commits = database.commits
    assert not await allocation_round(database.uow, POLICY)
    assert database.commits == commits and first in database.tables.waiting


async def test_a_batch_uses_the_index_its_predecessor_left_only_after_that_committed(
        monkeypatch):
    database = county()
    await published(database, course("c-1", capacity=50))
    full_runs: list[int] = []
    real_run = run_allocation

    async def counted(*args: object, **kwargs: object):  # noqa: ANN202
        full_runs.append(1)
        return await real_run(*args, **kwargs)

    monkeypatch.setattr("ankommen.assignment.service.allocation.run_allocation", counted)
    placement_index(database).forget()
    await consumed(database, registration())
    assert full_runs == [1], "no index yet: the full run"
    await consumed(database, registration())
    assert full_runs == [1], "the kept index"
    # A batch left without its commit leaves no index behind.
    handle = applying_then_allocating(CASE_EVENTS, POLICY)
    event = registration()
    async with database.uow() as uow:
        await handle(uow, [Delivery(decoded(event), event.pseudonym)])
    assert event.pseudonym not in database.tables.cases
    await consumed(database, registration())
    assert full_runs == [1, 1]


async def test_the_day_turn_postpones_a_course_short_of_its_minimum_then_cancels_it():
    database = county()
    await published(database, course("short", minimum_participants=2, starts_on="2031-03-05",
                                     ends_on="2031-06-30"))
    person = await registered(database, days_ago=10)
    assert database.tables.waiting[person].reason == "course_below_minimum"
    # A coordinator placed the person by hand: one of two.
    await committed(database, lambda uow: place_by_hand(uow, COORDINATOR, ManualPlacementRequest(
        pseudonym=person, course_id="short", reason="wartet schon lange"), policy=POLICY))
    database.clock.advance(timedelta(days=3))
    since = len(database.published)
    assert await allocation_round(database.uow, POLICY)
    moved = database.tables.courses["short"]
    assert moved.postponed_from == TODAY + timedelta(days=3)
    assert kinds(database, since)[:2] == ["course_updated.v1", "placement_withdrawn.v1"]
    assert database.tables.waiting[person].waiting_since == TODAY - timedelta(days=10)
    database.clock.advance(moved.starts_on - database.clock.today())
    since = len(database.published)
    assert await allocation_round(database.uow, POLICY)
    assert kinds(database, since)[0] == "course_cancelled.v1"
