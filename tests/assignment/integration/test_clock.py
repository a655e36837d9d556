"""Assignment allocates by its injected clock: moving the clock moves the day an offer is
dated (issue 16, time is explicit) — the "today" the whole allocation works with.

The service's runtime without a broker; the registrations are handled as the cases consumer
handles them (nothing here crosses a broker)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ankommen.assignment.adapters.tables import placements
from ankommen.assignment.app import build_runtime
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.messaging.consumer import BatchHandler
from ankommen.shared.runtime import ServiceRuntime
from tests.assignment.integration.test_event_batches import delivery
from tests.assignment.support import course_body
from tests.support.services import settings_for
from tests.support.surveys import survey


async def clocked_runtime(databases, clock: MovableClock  # noqa: ANN001
                          ) -> tuple[ServiceRuntime, BatchHandler]:
    """A migrated assignment on ``clock`` and its case consumer's batch handler."""
    runtime = build_runtime(settings_for("assignment", kafka_bootstrap_servers="127.0.0.1:1",
                                         database_url=await databases.url("assignment"),
                                         county_districts="03358"), clock=clock)
    await runtime.migrate()
    return runtime, applying_then_allocating(CASE_EVENTS, runtime.settings.allocation_policy,
                                             in_bulk=CASE_EVENTS_IN_BULK)


async def test_moving_the_clock_moves_the_day_offers_are_made(sqlite_databases):
    clock = MovableClock(datetime(2031, 3, 2, 9, tzinfo=UTC))
    runtime, handle = await clocked_runtime(sqlite_databases, clock)

    async def register() -> date:
        pseudonym = secrets.token_urlsafe(24)
        async with runtime.uow() as uow:
            await handle(uow, [delivery(CaseRegistered(
                pseudonym=pseudonym, registered_on=clock.today(),
                survey=Survey(**survey(region_key="03358021", german_level="A1"))))])
            await uow.commit()
        async with runtime.sessions() as session:
            return await session.scalar(select(placements.c.offered_on).where(
                placements.c.pseudonym == pseudonym))

    try:
        async with runtime.uow() as uow:
            await publish_course(uow, Principal("tests", Role.COORDINATOR), Course(
                **course_body("clock-course", starts_on="2031-04-01", ends_on="2031-09-30")),
                policy=runtime.settings.allocation_policy)
            await uow.commit()
        assert await register() == date(2031, 3, 2)
        # 23:30 UTC on 9 March is 10 March in the county (Europe/Berlin).
        clock.set(datetime(2031, 3, 9, 23, 30, tzinfo=UTC))
        assert await register() == date(2031, 3, 10)
        clock.advance(timedelta(days=5))
        assert await register() == date(2031, 3, 15)
    finally:
        await runtime.engine.dispose()
