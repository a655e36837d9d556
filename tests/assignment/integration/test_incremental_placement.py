"""The incremental step (issue 21, item 3) against the full run, through the batch handler and
the decline on real databases: the same batches of registrations and closures and the same
declines (which free seats) handled by one assignment that keeps its candidate index and by
one made to forget it after every step (so each of its steps is the full optimiser over
everyone waiting). Seats are short, so people wait, and freed seats must go to those who
waited — not to the newest arrival. After every step both hold the same placements and the
same waiting list, and the one that keeps its index never ran the full optimiser (the
catalogue's publication did). Everyone registers on another day and fits one course at most,
so the optimum is unique (no tie of the same day or of equal costs) and both must agree
exactly."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ankommen.assignment.adapters.tables import placements
from ankommen.assignment.service import allocation
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.assignment.service.placement_index import placement_index
from ankommen.assignment.service.placements import decline_placement
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Course, WaitlistReason
from ankommen.shared.events.contracts.intake import (
    CaseClosed,
    CaseRegistered,
    ClosureReason,
    Survey,
)
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.runtime import ServiceRuntime
from tests.assignment.integration.test_clock import clocked_runtime
from tests.assignment.integration.test_event_batches import (
    DISTRICTS,
    delivery,
    fresh_runtime,
    placed,
    registrations,
    still_waiting,
)
from tests.assignment.support import course_body
from tests.support.county_day import county_today
from tests.support.surveys import survey

COORDINATOR = Principal("tests", Role.COORDINATOR)


async def small_county(databases, name: str) -> ServiceRuntime:  # noqa: ANN001
    """Four courses of six seats (two childcare places each) in two districts."""
    return await fresh_runtime(databases, name, [
        course_body(f"{kind}-{district}", provider_id=f"provider-{district}",
                    region_key=district + "021", course_type=kind, capacity=6,
                    childcare_places=2)
        for district in DISTRICTS for kind in ("general_integration", "literacy")])


def counting_full_runs(monkeypatch) -> list[int]:  # noqa: ANN001
    """One entry per full run from now on."""
    full_runs: list[int] = []
    run_allocation = allocation.run_allocation

    async def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        full_runs.append(1)
        return await run_allocation(*args, **kwargs)

    monkeypatch.setattr(allocation, "run_allocation", counted)
    return full_runs


async def offered_placements(runtime: ServiceRuntime) -> dict[str, str]:
    """The placement id of each offered placement, by pseudonym."""
    async with runtime.sessions() as session:
        rows = await session.execute(select(placements.c.pseudonym, placements.c.placement_id)
                                     .where(placements.c.status == "offered"))
        return dict(rows.all())


def closure(pseudonym: str) -> CaseClosed:
    return CaseClosed(pseudonym=pseudonym, closed_on=county_today(),
                      reason=ClosureReason.MOVED_AWAY)


async def same_outcome(incremental: ServiceRuntime, full: ServiceRuntime,
                       people: list[CaseRegistered]) -> None:
    """Both hold the same placements and waiting list; if not, the message names the people
    who differ by their position in ``people``, registration day and need of childcare."""
    by_pseudonym = {person.pseudonym: (i, person.registered_on.isoformat(),
                                       person.survey.needs_childcare)
                    for i, person in enumerate(people)}
    here, there = await placed(incremental), await placed(full)
    differing = sorted(by_pseudonym[pseudonym] + (here.get(pseudonym), there.get(pseudonym))
                       for pseudonym in set(here) ^ set(there) | {
                           p for p in set(here) & set(there) if here[p] != there[p]})
    assert here == there, f"(i, registered, childcare, incremental, full): {differing}"
    assert await still_waiting(incremental) == await still_waiting(full)


#: Each seed is another scenario (pseudonyms, closures, declines), reproduced by running its
#: case alone. Before ties of priority were broken by days on the list (issue 21, item 3),
#: seeds 1 and 30 failed (2 of 0–39; none after): two people of the same priority (whole
#: weeks), one needing a childcare place, competed for a seat and either run could seat either.
SEEDS = (1, 30, 0, 2, 3, 4, 5, 6, 7, 8)
STEPS = 5
#: Registrations per batch: 70 people for 24 seats (and those freed by closures, declines).
BATCH = 14


@pytest.mark.parametrize("seed", SEEDS)
async def test_incremental_batches_place_whom_and_where_full_runs_place(sqlite_databases,
                                                                        monkeypatch, seed):
    rng = random.Random(seed)
    incremental = await small_county(sqlite_databases, "assignment-incremental")
    full = await small_county(sqlite_databases, "assignment-full")
    full_runs = {"incremental": 0, "full": 0}
    handling = ["full"]
    run_allocation = allocation.run_allocation

    async def counted(*args, **kwargs):  # noqa: ANN002, ANN003
        full_runs[handling[0]] += 1
        return await run_allocation(*args, **kwargs)

    monkeypatch.setattr(allocation, "run_allocation", counted)
    people = registrations(BATCH * STEPS, rng)
    # Newest first: the people registered later wait less and must not overtake.
    people.reverse()
    waited_and_placed_later = 0
    seats_were_short = False
    try:
        handled = 0
        for _ in range(STEPS):
            batch = [delivery(person) for person in people[handled:handled + BATCH]]
            handled += BATCH
            holders = sorted(await placed(incremental))
            batch += [delivery(closure(pseudonym))
                      for pseudonym in rng.sample(holders, min(len(holders), rng.randint(0, 3)))]
            rng.shuffle(batch)
            waiting_before = set(await still_waiting(incremental))
            placement_index(full.engine.sync_engine).forget()
            for handling[0], runtime in (("incremental", incremental), ("full", full)):
                handle = applying_then_allocating(CASE_EVENTS,
                                                  runtime.settings.allocation_policy,
                                                  in_bulk=CASE_EVENTS_IN_BULK)
                async with runtime.uow() as uow:
                    await handle(uow, batch)
                    await uow.commit()
            await same_outcome(incremental, full, people)
            waited_and_placed_later += len(waiting_before & set(await placed(incremental)))
            seats_were_short |= WaitlistReason.COURSES_FULL.value in (
                await still_waiting(incremental)).values()
            # A decline frees a seat too (and that course no longer fits the person).
            offered = sorted(await offered_placements(incremental))
            if offered:
                declining = rng.choice(offered)
                for handling[0], runtime in (("incremental", incremental), ("full", full)):
                    async with runtime.uow() as uow:
                        await decline_placement(
                            uow, COORDINATOR, (await offered_placements(runtime))[declining],
                            policy=runtime.settings.allocation_policy)
                        await uow.commit()
                    placement_index(full.engine.sync_engine).forget()
                await same_outcome(incremental, full, people)
        assert seats_were_short, "someone should have waited for a seat"
        assert waited_and_placed_later > 0, "freed seats should go to people who waited"
        # The catalogue's publication ran in full and left the index: every batch after it
        # was incremental.
        assert full_runs["incremental"] == 0
        assert full_runs["full"] >= STEPS
    finally:
        await incremental.engine.dispose()
        await full.engine.dispose()


async def test_the_index_is_not_used_after_someone_else_allocated_nor_after_a_rollback(
        sqlite_databases, monkeypatch):
    runtime = await small_county(sqlite_databases, "assignment-rebuilds")
    full_runs = counting_full_runs(monkeypatch)
    handle = applying_then_allocating(CASE_EVENTS, runtime.settings.allocation_policy,
                                      in_bulk=CASE_EVENTS_IN_BULK)
    people = iter(registrations(12))
    try:
        async with runtime.uow() as uow:
            await handle(uow, [delivery(next(people))])
            await uow.commit()
        assert full_runs == [], "the publication's index is used"
        # Another instance (or a placement by hand) takes the allocation lock.
        async with runtime.uow() as uow:
            await uow.waiting_people.lock_for_allocation()
            await uow.commit()
        async with runtime.uow() as uow:
            await handle(uow, [delivery(next(people))])
            await uow.commit()
        assert full_runs == [1]
        async with runtime.uow() as uow:
            await handle(uow, [delivery(next(people))])
            await uow.commit()
        assert full_runs == [1], "rebuilt by that run"
        # A batch whose transaction rolls back leaves no index behind.
        try:
            async with runtime.uow() as uow:
                await handle(uow, [delivery(next(people))])
                raise RuntimeError("the batch fails after its allocation")
        except RuntimeError:
            pass
        async with runtime.uow() as uow:
            await handle(uow, [delivery(next(people))])
            await uow.commit()
        assert full_runs == [1, 1]
    finally:
        await runtime.engine.dispose()


async def test_the_first_batch_of_a_day_runs_the_full_optimiser(sqlite_databases, monkeypatch):
    clock = MovableClock(datetime(2031, 3, 2, 9, tzinfo=UTC))
    runtime, handle = await clocked_runtime(sqlite_databases, clock)

    async def register() -> None:
        async with runtime.uow() as uow:
            await handle(uow, [delivery(CaseRegistered(
                pseudonym=secrets.token_urlsafe(24), registered_on=clock.today(),
                survey=Survey(**survey(region_key="03358021", german_level="A1"))))])
            await uow.commit()

    try:
        async with runtime.uow() as uow:
            await publish_course(uow, COORDINATOR, Course(**course_body(
                "day-course", starts_on="2031-04-01", ends_on="2031-09-30")),
                policy=runtime.settings.allocation_policy)
            await uow.commit()
        full_runs = counting_full_runs(monkeypatch)
        await register()
        assert full_runs == []
        clock.advance(timedelta(days=1))
        await register()
        assert full_runs == [1], "a new day: the day turn, then everyone re-weighed"
        clock.advance(timedelta(hours=2))
        await register()
        assert full_runs == [1]
    finally:
        await runtime.engine.dispose()
