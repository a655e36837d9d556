"""A county on the fakes for service-layer tests: its clock stands at 2 March 2031 (9:00 UTC),
its one district is 03358; courses are published and people registered through the very use
cases and handlers the service runs, each in a committed unit as the entry points and the
consumers commit them."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from ankommen.assignment.domain.placement import PlacementRecord
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    PARTICIPATION_EVENTS,
    applying_then_allocating,
)
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.messaging.consumer import Delivery
from tests.assignment.fakes import FakeDatabase, FakeUnitOfWork
from tests.support.event_examples import decoded
from tests.support.surveys import survey

DISTRICT = "03358"
TODAY = date(2031, 3, 2)
POLICY = AllocationPolicy(districts=frozenset({DISTRICT}))
MANUAL = AllocationPolicy(automatic=False, districts=frozenset({DISTRICT}))
COORDINATOR = Principal("koordination", Role.COORDINATOR)
ADMIN = Principal("betrieb", Role.ADMIN)

ResultT = TypeVar("ResultT")


def provider(provider_id: str = "vhs-heidekreis") -> Principal:
    return Principal(f"staff-of-{provider_id}", Role.PROVIDER, provider_id=provider_id)


def county() -> FakeDatabase:
    return FakeDatabase(MovableClock(datetime(2031, 3, 2, 9, tzinfo=UTC)))


def pseudonym() -> str:
    return secrets.token_urlsafe(24)


def course(course_id: str, **fields: Any) -> Course:
    """An open general integration course in the district, approved, from 16 March."""
    body: dict[str, Any] = {
        "course_id": course_id, "provider_id": "vhs-heidekreis", "title": "Integrationskurs",
        "course_type": "general_integration", "entry_level": "A1", "target_level": "B1",
        "region_key": DISTRICT + "021", "mode": "in_person", "schedule": ["mornings"],
        "starts_on": "2031-03-16", "ends_on": "2031-08-31", "hours": 700, "capacity": 20,
        "minimum_participants": 0, "childcare_places": 5, "status": "open",
        "approval": "approved"}
    return Course.model_validate({**body, **fields})


async def committed(database: FakeDatabase,
                    work: Callable[[FakeUnitOfWork], Awaitable[ResultT]]) -> ResultT:
    """``work`` in one unit, committed (as an entry point runs a use case)."""
    async with database.uow() as uow:
        result = await work(uow)
        await uow.commit()
    return result


async def published(database: FakeDatabase, *courses: Course,
                    policy: AllocationPolicy = POLICY) -> None:
    for each in courses:
        await committed(database, lambda uow, each=each: publish_course(
            uow, COORDINATOR, each, policy=policy))


async def consumed(database: FakeDatabase, *events: EventData,
                   policy: AllocationPolicy = POLICY) -> None:
    """``events`` as one batch of the cases or participation consumer (by the first's kind):
    applied, then one allocation, committed with the batch."""
    handlers = CASE_EVENTS if type(events[0]) in CASE_EVENTS else PARTICIPATION_EVENTS
    handle = applying_then_allocating(handlers, policy, in_bulk=CASE_EVENTS_IN_BULK
                                      if handlers is CASE_EVENTS else None)
    deliveries = [Delivery(decoded(event), getattr(event, "pseudonym", None))
                  for event in events]
    await committed(database, lambda uow: handle(uow, deliveries))


def registration(who: str | None = None, *, days_ago: int = 0,
                 **answers: Any) -> CaseRegistered:
    return CaseRegistered(pseudonym=who or pseudonym(),
                          registered_on=TODAY - timedelta(days=days_ago),
                          survey=Survey(**survey(**{"region_key": DISTRICT + "021",
                                                    "german_level": "A1", **answers})))


async def registered(database: FakeDatabase, *, days_ago: int = 0,
                     policy: AllocationPolicy = POLICY, **answers: Any) -> str:
    event = registration(days_ago=days_ago, **answers)
    await consumed(database, event, policy=policy)
    return event.pseudonym


def placement_of(database: FakeDatabase, who: str) -> PlacementRecord:
    """The person's one placement."""
    [record] = [record for record in database.tables.placements.values()
                if record.pseudonym == who]
    return record


def kinds(database: FakeDatabase, since: int = 0) -> list[str]:
    """The types of the events published from the ``since``-th on, facts for monitoring
    left out, without the service's prefix."""
    return [each.data.event_type.removeprefix("ankommen.assignment.")
            for each in database.published[since:] if "_fact." not in each.data.event_type]
