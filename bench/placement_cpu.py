"""Assignment's CPU per registration on the consumer path (issue 21, item 3): the synthetic
county's catalogue, then ``count`` registrations handed to the case consumer's batch handler
in batches of ``batch`` (as the consumer would), on a SQLite file. CPU from
``time.process_time`` around the handler calls only (not the setup).

    .tools/bin/uv run --frozen python -m bench.placement_cpu [count] [batch] [courses] [--full]

``--full``: every batch runs the full optimiser over everyone waiting (as before issue 21,
item 3), for the comparison on the same code.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ankommen.assignment.app import build_runtime
from ankommen.assignment.service import handlers
from ankommen.assignment.service.allocation import reallocate
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.messaging.consumer import Delivery
from ankommen.tools.synthetic import DISTRICT_KEY, county
from tests.support.services import settings_for

TODAY = date(2026, 3, 20)


def _delivery(body: dict, registered_on: date) -> Delivery:
    survey = dict(body["survey"])
    birth = date.fromisoformat(body["identity"]["birth_date"])
    survey.setdefault("age_years", (registered_on - birth).days // 365)
    data = CaseRegistered(pseudonym=secrets.token_urlsafe(24), registered_on=registered_on,
                          survey=Survey(**survey))
    envelope = registry.envelope(data, source="/ankommen/intake", subject=data.pseudonym)
    return Delivery(registry.decode(envelope.to_bytes()), data.pseudonym)


async def _full_run(uow, policy, touched) -> None:  # noqa: ANN001
    await reallocate(uow, policy)


async def measure(count: int, batch: int, courses: int, full: bool = False
                  ) -> dict[str, float]:
    if full:
        handlers.place_after = _full_run
    region = county(count, courses, TODAY)
    with tempfile.TemporaryDirectory() as folder:
        runtime = build_runtime(settings_for(
            "assignment", kafka_bootstrap_servers="127.0.0.1:1",
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'assignment.db'}",
            county_districts=DISTRICT_KEY, allocation_interval_minutes=0))
        await runtime.migrate()
        policy = runtime.settings.allocation_policy
        async with runtime.uow() as uow:
            for body in region.courses:
                await publish_course(uow, Principal("bench", Role.COORDINATOR), Course(**body),
                                     policy=policy)
            await uow.commit()
        deliveries = [_delivery(arrival.registration, arrival.registered_on)
                      for arrival in region.arrivals]
        handle = applying_then_allocating(CASE_EVENTS, policy, in_bulk=CASE_EVENTS_IN_BULK)
        cpu = wall = 0.0
        for start in range(0, len(deliveries), batch):
            began, began_wall = time.process_time(), time.perf_counter()
            async with runtime.uow() as uow:
                await handle(uow, deliveries[start:start + batch])
                await uow.commit()
            cpu += time.process_time() - began
            wall += time.perf_counter() - began_wall
        await runtime.engine.dispose()
    return {"registrations": count, "batch": batch, "courses": courses, "full": full,
            "cpu_ms_per_registration": round(1000 * cpu / count, 3),
            "wall_ms_per_registration": round(1000 * wall / count, 3)}


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:] if value != "--full"]
    count, batch, courses = (arguments + [3000, 20, 70][len(arguments):])[:3]
    print(asyncio.run(measure(count, batch, courses, "--full" in sys.argv)))
