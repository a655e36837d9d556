"""Intake in process for its integration tests, left only after its outbox is relayed.

On PostgreSQL the relay holds a transaction while it waits for the broker's acknowledgement;
stopping the service in that moment can stall the shutdown (see docs/intake.md, open
points), so the tests wait for the outbox to drain before they leave.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import messaging
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process


async def unpublished(service: RunningService) -> int:
    async with service.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(messaging.outbox)
                                    .where(messaging.outbox.c.published_at.is_(None)))


@contextlib.asynccontextmanager
async def running_intake(kafka, databases, *, database_url: str | None = None,  # noqa: ANN001
                         **settings: object) -> AsyncIterator[RunningService]:
    async with in_process("intake", bootstrap=kafka.bootstrap_servers,
                          database_url=database_url or await databases.url("intake"),
                          **settings) as intake:
        yield intake
        await eventually(lambda: unpublished(intake), until=lambda count: count == 0,
                         timeout=60, what="intake's outbox relayed")
