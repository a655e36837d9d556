"""The batch mode of the shared consumer over the real broker: a batch is handled in one unit
of work, and a message its handler cannot process (a poison message) is dead-lettered alone
while the others of its batch are kept."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from ankommen.progress.adapters.tables import known_cases
from ankommen.progress.app import DEFINITION
from ankommen.progress.config import ProgressSettings
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging.consumer import DLQ_REASON, BatchEventConsumer
from ankommen.shared.messaging.topics import CASES
from ankommen.shared.runtime import ServiceRuntime
from tests.e2e.test_idempotency_and_dead_letters import case_registered, produce, read_all
from tests.support.polling import eventually


async def test_a_poison_message_is_dead_lettered_alone_and_its_batch_is_kept(
        kafka, databases):
    poison = secrets.token_urlsafe(24)
    batches: list[int] = []

    async def remember(uow, deliveries) -> None:  # noqa: ANN001
        batches.append(len(deliveries))
        for delivery in deliveries:
            data: CaseRegistered = delivery.event.data
            if data.pseudonym == poison:
                # Raised by the handler itself, not by the database driver: a bug, which is
                # dead-lettered after its attempts rather than retried as an outage.
                raise ConnectionError("this one cannot be handled")
            await uow.session.execute(known_cases.insert().values(
                pseudonym=data.pseudonym, registered_on=date(2026, 11, 2)))

    settings = ProgressSettings(_env_file=None, kafka_bootstrap_servers=kafka.bootstrap_servers,
                                database_url=await databases.url("progress"),
                                migrate_on_startup=True, outbox_relay_enabled=False)
    runtime = ServiceRuntime(DEFINITION, settings)
    runtime.consume(BatchEventConsumer(group_id="ankommen.tests.batch", topic=CASES,
                                       uow=runtime.uow, handler=remember,
                                       event_types=(CaseRegistered,), max_attempts=2,
                                       retry_delay=0.01))
    good = [secrets.token_urlsafe(24) for _ in range(6)]
    key = b"one-partition"
    bodies = [case_registered(pseudonym) for pseudonym in good[:3]]
    bodies += [case_registered(poison)]
    bodies += [case_registered(pseudonym) for pseudonym in good[3:]]
    await produce(kafka.bootstrap_servers, CASES.name, [(key, body) for body in bodies])
    async with runtime.running():
        async def stored() -> set[str]:
            async with runtime.sessions() as session:
                return set(await session.scalars(select(known_cases.c.pseudonym)))

        assert await eventually(stored, until=lambda found: found >= set(good), timeout=60,
                                what="the good messages of the batch stored") == set(good)
        dead = await read_all(kafka.bootstrap_servers, CASES.dead_letter, expected=1)
    assert len(dead) == 1
    assert dict(dead[0].headers)[DLQ_REASON].decode() == (
        "handler failed 2 times: ConnectionError: this one cannot be handled")
    assert max(batches) > 1, "the messages were not consumed as a batch"
