"""Courses and offers move with the calendar (issue 16): the service's clock is moved through
a course's start day (short of its minimum: postponed, then cancelled on its new start day),
another course's start and end, and an offer's last day — the day turn before each
allocation publishes what changed and puts the people back on the waiting list with their
original place.

The service's runtime on SQLite without a broker; registrations are handled as the cases
consumer handles them, the day's rounds as the scheduled round runs them."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from ankommen.assignment.adapters.tables import placements
from ankommen.assignment.app import build_runtime
from ankommen.assignment.service.catalogue import publish_course, update_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.assignment.service.placements import confirm_placement, decline_placement
from ankommen.assignment.service.schedule import allocation_round
from ankommen.shared.clock import MovableClock
from ankommen.shared.errors import Conflict
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Principal, Role
from tests.assignment.integration.test_event_batches import delivery
from tests.assignment.support import course_body, outbox
from tests.support.services import settings_for
from tests.support.surveys import survey

COORDINATOR = Principal("tests", Role.COORDINATOR)
PREFIX = "ankommen.assignment."


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@pytest.fixture
async def runtime(sqlite_databases):
    clock = MovableClock(_at(date(2031, 3, 2)))
    built = build_runtime(settings_for("assignment", kafka_bootstrap_servers="127.0.0.1:1",
                                       database_url=await sqlite_databases.url("assignment"),
                                       county_districts="03358"), clock=clock)
    await built.migrate()
    try:
        yield built
    finally:
        await built.engine.dispose()


class County:
    """The service as the tests drive it: clock, registrations, rounds, what it published."""

    def __init__(self, runtime) -> None:  # noqa: ANN001
        self.runtime = runtime
        self.clock: MovableClock = runtime.clock
        self.policy = runtime.settings.allocation_policy
        self.seen = 0

    async def on(self, day: date) -> None:
        """Move to ``day`` and run the scheduled round there."""
        self.clock.set(_at(day))
        assert await allocation_round(self.runtime.uow, self.policy)

    async def register(self) -> str:
        handle = applying_then_allocating(CASE_EVENTS, self.policy, in_bulk=CASE_EVENTS_IN_BULK)
        pseudonym = secrets.token_urlsafe(24)
        async with self.runtime.uow() as uow:
            await handle(uow, [delivery(CaseRegistered(
                pseudonym=pseudonym, registered_on=self.clock.today(),
                survey=Survey(**survey(region_key="03358021", german_level="A1"))))])
            await uow.commit()
        return pseudonym

    async def publish(self, course_id: str, **fields: object) -> Course:
        async with self.runtime.uow() as uow:
            course = await publish_course(uow, COORDINATOR, Course(**course_body(
                course_id, **fields)), policy=self.policy)
            await uow.commit()
        return course

    async def placement(self, pseudonym: str, course_id: str) -> dict:
        async with self.runtime.sessions() as session:
            row = (await session.execute(select(placements).where(
                placements.c.pseudonym == pseudonym, placements.c.course_id == course_id)
            )).one()
        return dict(row._mapping)

    async def waiting(self) -> dict[str, date]:
        async with self.runtime.uow() as uow:
            return {person.pseudonym: person.waiting_since
                    for person in await uow.waiting_people.all()}

    async def new_events(self) -> list[dict]:
        """What was published since the last call (monitoring's facts left out), types
        without the service prefix."""
        events = await outbox(SimpleNamespace(runtime=self.runtime))
        fresh, self.seen = events[self.seen:], len(events)
        return [event | {"_type": event["_type"].removeprefix(PREFIX)} for event in fresh
                if "_fact." not in event["_type"]]


def kinds(events: list[dict]) -> list[str]:
    return [event["_type"] for event in events]


async def test_courses_start_postpone_cancel_and_end_and_offers_expire_as_days_pass(runtime):
    county = County(runtime)
    # 2 March: a course that needs two people, starting on 5 March; two people placed there.
    await county.publish("short", minimum_participants=2, starts_on="2031-03-05",
                         ends_on="2031-06-30", postponed_from="2031-01-01")
    # A course entered after its start is running (whatever the request says), so the
    # minimum rule, which is for courses reaching their start day, never postpones it.
    started = await county.publish("started", minimum_participants=5, starts_on="2031-02-01",
                                   ends_on="2031-07-31", entry_level="B1", target_level="B2")
    assert started.status == "running"
    first, second = await county.register(), await county.register()
    assert (await county.placement(second, "short"))["status"] == "offered"
    short = await county.placement(first, "short")
    assert short["status"] == "offered" and short["expires_on"] == date(2031, 3, 16)
    # A request cannot pretend the course was postponed already (it would be cancelled).
    async with runtime.uow() as uow:
        listed = await update_course(uow, COORDINATOR, Course(**course_body(
            "short", minimum_participants=2, starts_on="2031-03-05", ends_on="2031-06-30",
            postponed_from="2031-02-01")), policy=county.policy)
        await uow.commit()
    assert listed.postponed_from is None
    async with runtime.uow() as uow:
        await decline_placement(uow, COORDINATOR, (await county.placement(
            second, "short"))["placement_id"], policy=county.policy)
        await uow.commit()
    # 3 March: a course whose offers wait three days; the second person is offered a seat.
    county.clock.set(_at(date(2031, 3, 3)))
    await county.publish("later", starts_on="2031-03-16", ends_on="2031-05-31",
                         offer_response_days=3)
    later_second = await county.placement(second, "later")
    assert later_second["expires_on"] == date(2031, 3, 6)
    offered = [event for event in await county.new_events()
               if event["_type"] == "placement_offered.v1"]
    assert {event["expires_on"] for event in offered} == {"2031-03-16", "2031-03-06"}
    assert await county.waiting() == {}

    # 5 March: "short" holds one seat of two: postponed by four weeks, its person withdrawn
    # and back on the list with the original place, then offered a seat in "later".
    await county.on(date(2031, 3, 5))
    events = await county.new_events()
    assert kinds(events) == ["course_updated.v1", "placement_withdrawn.v1",
                             "placement_offered.v1"]
    moved = events[0]["course"]
    assert (moved["starts_on"], moved["ends_on"], moved["postponed_from"], moved["status"]) == (
        "2031-04-02", "2031-07-28", "2031-03-05", "planned")
    assert events[1]["reason"] == "course_postponed" and events[1]["pseudonym"] == first
    assert events[2]["course_id"] == "later" and events[2]["expires_on"] == "2031-03-08"
    # A second round on the same day changes nothing.
    await county.on(date(2031, 3, 5))
    assert kinds(await county.new_events()) == []

    # 7 March: the second person's offer was not confirmed by 6 March: expired, back on the
    # list with the original place, not offered "later" again (nor "short", declined).
    await county.on(date(2031, 3, 7))
    events = await county.new_events()
    assert kinds(events) == ["placement_expired.v1", "waitlisted.v1"]
    assert events[0]["expired_on"] == "2031-03-07" and events[0]["pseudonym"] == second
    assert await county.waiting() == {second: date(2031, 3, 2)}
    async with runtime.uow() as uow:
        with pytest.raises(Conflict) as refused:
            await confirm_placement(uow, COORDINATOR, later_second["placement_id"])
    assert refused.value.status == 409 and refused.value.field == "status"
    assert "expired on 2031-03-07" in str(refused.value)
    async with runtime.uow() as uow:
        await confirm_placement(uow, COORDINATOR,
                                (await county.placement(first, "later"))["placement_id"])
        await uow.commit()
    await county.new_events()

    # 16 March: "later" starts (it has no minimum): running, published.
    await county.on(date(2031, 3, 16))
    events = await county.new_events()
    assert kinds(events) == ["course_updated.v1"]
    assert events[0]["course"]["course_id"] == "later"
    assert events[0]["course"]["status"] == "running"

    # 2 April: "short" lacks its minimum again on its new start day: cancelled.
    await county.on(date(2031, 4, 2))
    assert kinds(await county.new_events()) == ["course_cancelled.v1"]

    # 1 June: "later" ended on 31 May without the first person's enrolment: completed, the
    # confirmed placement withdrawn, the person back on the list with the original place.
    await county.on(date(2031, 6, 1))
    events = await county.new_events()
    assert kinds(events)[:2] == ["course_updated.v1", "placement_withdrawn.v1"]
    assert events[0]["course"]["status"] == "completed"
    assert events[1]["reason"] == "course_ended" and events[1]["pseudonym"] == first
    assert await county.waiting() == {first: date(2031, 3, 2), second: date(2031, 3, 2)}


async def test_an_offer_made_before_offers_had_a_last_day_gets_the_default_one(runtime):
    """Migration 0009 left the offers already out without ``expires_on``: the next day turn
    gives them their offer day plus the county's default, and they expire after it."""
    county = County(runtime)
    await county.publish("course", starts_on="2031-04-01", ends_on="2031-09-30")
    person = await county.register()
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(placements).where(placements.c.pseudonym == person)
                              .values(expires_on=None))
    await county.on(date(2031, 3, 10))
    assert (await county.placement(person, "course"))["expires_on"] == date(2031, 3, 16)
    await county.new_events()
    await county.on(date(2031, 3, 17))
    assert kinds(await county.new_events())[0] == "placement_expired.v1"
    assert await county.waiting() == {person: date(2031, 3, 2)}
