"""Helpers for assignment's tests: request bodies, events sent over the real broker, and what
the outbox holds."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import CASES
from tests.support.county_day import county_today
from tests.support.event_examples import owners_source
from tests.support.services import RunningService, token
from tests.support.surveys import survey

COORDINATOR = token(Role.COORDINATOR)


def course_body(course_id: str, provider_id: str = "vhs-heidekreis", **overrides: Any) -> dict:
    starts = county_today() + timedelta(days=14)
    body = {"course_id": course_id, "provider_id": provider_id, "title": "Integrationskurs",
            "course_type": "general_integration", "entry_level": "A1", "target_level": "B1",
            "region_key": "03358021", "mode": "in_person", "schedule": ["mornings"],
            "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=180)).isoformat(),
            "hours": 700, "capacity": 20, "minimum_participants": 0, "childcare_places": 5,
            "status": "open"}
    return {**body, **overrides}


async def outbox(service: RunningService, event_type: str | None = None) -> list[dict]:
    """Payloads of the events the service recorded for publishing, oldest first."""
    table = service.runtime.definition.tables.outbox
    async with service.runtime.sessions() as session:
        rows = (await session.execute(select(table.c.type, table.c.payload)
                                      .order_by(table.c.id))).all()
    return [json.loads(row.payload)["data"] | {"_type": row.type} for row in rows
            if event_type is None or row.type == event_type]


async def send(bootstrap: str, topic: str, data) -> None:  # noqa: ANN001
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        envelope = registry.envelope(data, source=owners_source(data), subject=data.pseudonym)
        await producer.send_and_wait(topic, envelope.to_bytes(), key=data.pseudonym.encode())
    finally:
        await producer.stop()


async def register(bootstrap: str, days_ago: int, **answers) -> str:  # noqa: ANN003
    pseudonym = secrets.token_urlsafe(24)
    await send(bootstrap, CASES.name, CaseRegistered(
        pseudonym=pseudonym, registered_on=county_today() - timedelta(days=days_ago),
        survey=Survey(**survey(**answers))))
    return pseudonym


async def waiting_count(assignment) -> int:  # noqa: ANN001
    return (await assignment.client.get("/waiting-list", headers=COORDINATOR)).json()["count"]
