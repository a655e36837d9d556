"""The provider channel over the real broker: a report is the provider's whose topic it came
on, whatever the message claims.

Kafka's ACLs let each provider's principal write only its own reports topic; what a message
says is the provider's to choose. So provider A writing on its own topic with the envelope
``source`` of provider B — about B's participant or its own — is refused: the rejection goes
to A's rejections topic, B's reports stay as they were and B's rejections topic stays empty.
A provider whose topics are created while progress runs is read without a restart.
"""

from __future__ import annotations

import json
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from ankommen.progress.adapters.tables import messaging, reports
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import provider_rejections_topic, provider_reports_topic
from tests.progress.integration.catalogue import (
    day,
    produce,
    progress_with_placements,
    provider_message,
    read_topic,
    referral_code,
)
from tests.support.brokers import provider_channels
from tests.support.polling import eventually
from tests.support.services import RunningService, token


def provider() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def enrolment(code: str, report_id: str) -> dict:
    return {"kind": "enrolment", "report_id": report_id, "referral_code": code,
            "started_on": day(2)}


def as_bytes(message: dict) -> bytes:
    return json.dumps(message).encode()


async def history(progress: RunningService, provider_id: str, code: str) -> list[str]:
    response = await progress.client.get(f"/participants/{code}/reports",
                                         headers=token(Role.PROVIDER, provider_id))
    assert response.status_code == 200, response.text
    return [entry["report_id"] for entry in response.json()["entries"]]


async def stored_reports(progress: RunningService) -> int:
    async with progress.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(reports))


async def unpublished(progress: RunningService) -> int:
    async with progress.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(messaging.outbox).where(
            messaging.outbox.c.published_at.is_(None)))


async def messages_on(bootstrap: str, topic: str, partitions: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, number)
                                           for number in range(partitions)])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def test_a_report_claiming_another_provider_is_refused_to_its_writer_only(
        kafka, sqlite_databases):
    a, b = provider(), provider()
    own, victims = referral_code(), referral_code()
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, a, b)
    async with progress_with_placements(kafka, sqlite_databases, {a: [own], b: [victims]}
                                        ) as (progress, _):
        await produce(bootstrap, provider_reports_topic(a).name, [
            # A writes as B about B's participant, and as B about its own.
            (victims, as_bytes(provider_message(b, enrolment(victims, "forged-1")))),
            (own, as_bytes(provider_message(b, enrolment(own, "forged-2")))),
            # And an honest report of its own, which is stored as ever.
            (own, as_bytes(provider_message(a, enrolment(own, "honest-1")))),
        ])

        assert await eventually(lambda: history(progress, a, own), until=bool,
                                what="A's honest report stored") == ["honest-1"]
        rejections = await read_topic(bootstrap, provider_rejections_topic(a).name,
                                      lambda found: len(found) >= 2)
        await eventually(lambda: unpublished(progress), until=lambda count: count == 0,
                         what="the outbox relayed")
        assert await history(progress, b, victims) == []
        assert await stored_reports(progress) == 1
        assert await messages_on(bootstrap, provider_rejections_topic(b).name,
                                 provider_rejections_topic(b).partitions) == 0
        reason = f"must be /providers/{a}, the provider of this topic"
        assert sorted((item["data"]["report_id"], item["_key"], item["data"]["provider_id"],
                       item["data"]["errors"][0]["field"], item["data"]["errors"][0]["reason"])
                      for item in rejections) == [
            ("forged-1", victims, a, "source", reason),
            ("forged-2", own, a, "source", reason)]


async def test_a_provider_added_while_progress_runs_is_read_without_a_restart(
        kafka, sqlite_databases):
    first, added = provider(), provider()
    code = referral_code()
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, first)
    async with progress_with_placements(kafka, sqlite_databases, {added: [code]},
                                        kafka_metadata_max_age_ms=1000) as (progress, _):
        # Progress reads the first provider's topic: its consumer has joined and runs.
        await produce(bootstrap, provider_reports_topic(first).name, [
            (code, as_bytes(provider_message(first, enrolment(code, "not-yours"))))])
        await read_topic(bootstrap, provider_rejections_topic(first).name, bool)

        # Now the operator adds a provider (ankommen topics create).
        await provider_channels(bootstrap, added)
        await produce(bootstrap, provider_reports_topic(added).name, [
            (code, as_bytes(provider_message(added, enrolment(code, "new-1")))),
            (code, as_bytes(provider_message(added, {"kind": "enrolment",
                                                     "report_id": "new-2",
                                                     "referral_code": code}))),
        ])

        assert await eventually(lambda: history(progress, added, code), until=bool,
                                timeout=15, what="the new provider's report stored"
                                ) == ["new-1"]
        [rejection] = await read_topic(bootstrap, provider_rejections_topic(added).name,
                                       bool)
        assert rejection["data"]["report_id"] == "new-2"
        assert rejection["data"]["errors"][0]["field"] == "started_on"
