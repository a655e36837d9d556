"""A consumer whose Kafka client stopped fetching silently is restarted and catches up.

Replays aiokafka#983 on the real broker: the client's background fetch routine ends (a
cancelled task, which the routine swallows) while the service runs on. Without the stall
watch nothing is ever delivered again; with it, the event waiting on the topic is applied.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from ankommen.progress.adapters.tables import known_cases
from ankommen.progress.app import DEFINITION
from ankommen.progress.config import ProgressSettings
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.messaging.topics import CASES
from ankommen.shared.runtime import ServiceRuntime
from tests.e2e.test_idempotency_and_dead_letters import case_registered, produce
from tests.support.polling import eventually


async def test_a_consumer_that_stopped_fetching_is_restarted_and_applies_what_waits(
        kafka, databases):
    async def remember(uow, event) -> None:  # noqa: ANN001
        data: CaseRegistered = event.data
        await uow.session.execute(known_cases.insert().values(
            pseudonym=data.pseudonym, registered_on=date(2026, 11, 2)))

    settings = ProgressSettings(_env_file=None, kafka_bootstrap_servers=kafka.bootstrap_servers,
                                database_url=await databases.url("progress"),
                                migrate_on_startup=True, outbox_relay_enabled=False,
                                consumer_stall_seconds=1.0)
    runtime = ServiceRuntime(DEFINITION, settings)
    consumer = EventConsumer(group_id="ankommen.tests.stall", topic=CASES, uow=runtime.uow,
                             handlers={CaseRegistered: remember})
    runtime.consume(consumer)
    first, second = secrets.token_urlsafe(24), secrets.token_urlsafe(24)

    async with runtime.running():
        async def stored() -> set[str]:
            async with runtime.sessions() as session:
                return set(await session.scalars(select(known_cases.c.pseudonym)))

        await produce(kafka.bootstrap_servers, CASES.name, [(b"k", case_registered(first))])
        await eventually(stored, until=lambda found: first in found, timeout=30,
                         what="the consumer applies an event")
        stalled_client = consumer.kafka_client()
        stalled_client._fetcher._fetch_task.cancel()  # aiokafka#983: it ends without a word
        await eventually(lambda: _done(stalled_client._fetcher._fetch_task), timeout=5,
                         what="the client's fetch routine ended")

        await produce(kafka.bootstrap_servers, CASES.name, [(b"k", case_registered(second))])
        await eventually(stored, until=lambda found: second in found, timeout=30,
                         what="the event after the stall is applied")
    assert consumer.kafka_client() is not stalled_client


async def _done(task) -> bool:  # noqa: ANN001
    return task.done()
