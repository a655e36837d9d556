"""A rebuild after the broker lost facts — the embedded Tansu broker restarted (in memory, it
keeps nothing), an Apache Kafka topic truncated (``delete_records``, as retention would) —
refuses to replace the aggregates with what is left: exit status 3, a message that says what is
missing and how to go on, the aggregates as they were. From the facts archive the live consumer
kept, it rebuilds the very same aggregates (equal digests) without the broker; and with the
loss accepted it says how many facts fewer the dashboard now counts."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from ankommen.monitoring.adapters.archive import FactArchive
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS, create_topics
from tests.monitoring.facts_topic import arrival, capacity, placement, publish
from tests.reliability.broker_kinds import NAMES
from tests.support import brokers
from tests.support.brokers import TANSU
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import in_process, token

pytestmark = [pytest.mark.tansu, pytest.mark.reliability]

MONTH = datetime.now(UTC).strftime("%Y-%m")

#: No broker listens here: a rebuild from the archive must not need one.
NO_BROKER = "127.0.0.1:9"
REFUSED = 3


async def processed(monitoring) -> int:  # noqa: ANN001
    response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
    return response.json()["facts_processed"]


def rebuild(bootstrap: str, database_url: str, *options: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                   "ANKOMMEN_MONITORING_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "ankommen.monitoring", "rebuild", *options],
                          env=environment, capture_output=True, text=True, timeout=120)


async def stored(database_url: str) -> tuple[str, int]:
    """The aggregates' digest and the number of archived facts, read from the database."""
    runtime = build_runtime(MonitoringSettings(_env_file=None, database_url=database_url,
                                               kafka_bootstrap_servers=NO_BROKER))
    try:
        async with runtime.uow() as unit:
            return (await Aggregates(unit.session).digest(),
                    await FactArchive(unit.session, FACTS.name).count())
    finally:
        await runtime.engine.dispose()


async def truncate(bootstrap: str) -> int:
    """Delete the first message of every partition that has one; how many were deleted."""
    partitions = [TopicPartition(FACTS.name, number) for number in range(FACTS.partitions)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_records({tp: RecordsToDelete(1) for tp, end in ends.items() if end},
                                   timeout_ms=10_000)
    finally:
        await admin.close()
    return sum(1 for end in ends.values() if end)


async def lose_facts(broker: brokers.TestBroker, kind: str) -> tuple[int, str]:
    """The broker loses facts, as it would in real life; how many, and what a refusal names."""
    if kind == TANSU:
        broker.stop()
        broker.start()
        await create_topics(broker.bootstrap_servers)  # as `ankommen run` does at its start
        return -1, "are not on the topic"
    deleted = await truncate(broker.bootstrap_servers)
    return deleted, "begins at offset 1: the broker deleted the messages before it"


async def test_rebuild_after_the_broker_lost_facts_refuses_and_the_archive_rebuilds_the_same(
        kafka, broker_kind, sqlite_databases):
    url = await sqlite_databases.url("monitoring")
    facts = ([arrival(MONTH, "03358", level) for level in ("A0", "A1", "B1") * 4]
             + [placement(MONTH, "03358", waiting_weeks=weeks) for weeks in range(6)]
             + [capacity(MONTH, "03358", 20, 12)])
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=url) as monitoring:
        await publish(kafka.bootstrap_servers, facts)
        await eventually(lambda: processed(monitoring), until=lambda n: n == len(facts),
                         timeout=60, what="every fact processed")
    live, archived = await stored(url)
    assert archived == len(facts), "the live consumer archives every fact it applies"

    deleted, named = await lose_facts(kafka, broker_kind)
    refused = await asyncio.to_thread(rebuild, kafka.bootstrap_servers, url, "--from", "topic")
    assert refused.returncode == REFUSED, refused.stdout + refused.stderr
    message = refused.stderr
    assert "rebuild refused: the facts topic" in message and named in message, message
    assert "Nothing was changed" in message
    assert "--from archive" in message and "--accept-loss" in message
    assert refused.stdout == ""
    unchanged = (await stored(url))[0] == live
    assert unchanged, "a refused rebuild changed the aggregates"

    # The default takes the archive, which holds every fact counted; no broker needed.
    rebuilt = await asyncio.to_thread(rebuild, NO_BROKER, url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (f"rebuilt from {len(facts)} facts (0 duplicates, 0 refused) of the facts archive"
            in rebuilt.stdout)
    assert live in rebuilt.stdout
    assert (await stored(url))[0] == live

    # Told to, it rebuilds from what is left — and says so; the archive keeps every fact.
    lossy = await asyncio.to_thread(rebuild, kafka.bootstrap_servers, url, "--from", "topic",
                                    "--accept-loss")
    assert lossy.returncode == 0, lossy.stderr
    fewer = re.search(rf"(\d+) fewer than the {len(facts)} they counted before", lossy.stderr)
    assert "WARNING" in lossy.stderr and fewer, lossy.stderr
    assert (await stored(url)) != (live, len(facts))
    restored = await asyncio.to_thread(rebuild, NO_BROKER, url)
    assert restored.returncode == 0, restored.stderr
    assert (await stored(url)) == (live, len(facts))

    broker = NAMES[broker_kind]
    record("safe rebuild", f"{broker}: facts applied and archived live", archived)
    record("safe rebuild", f"{broker}: how the facts were lost",
           "broker restarted (in memory)" if broker_kind == TANSU
           else f"first message deleted on {deleted} partitions")
    record("safe rebuild", f"{broker}: rebuild from the topic: exit status", refused.returncode)
    record("safe rebuild", f"{broker}: aggregates unchanged by the refusal", unchanged)
    record("safe rebuild", f"{broker}: rebuild from the archive: digest equal to live", True)
    record("safe rebuild", f"{broker}: --accept-loss: facts fewer, as it warned",
           int(fewer.group(1)))
