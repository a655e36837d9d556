"""Topics are defined in one place and created idempotently, dead-letter topics included; on
Apache Kafka, as in production, nothing else creates one — not a producer, not a metadata
request that asks the broker to create the topic it names (``auto.create.topics.enable=false``).
"""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaClient, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import UnknownTopicOrPartitionError
from aiokafka.protocol.metadata import MetadataRequest

from ankommen.shared.messaging.topics import CASES, TOPICS, TopicGuard, create_topics, topic_plan
from tests.support.polling import eventually

#: A topic ankommen does not plan (a typo in a publisher, say).
UNPLANNED = "ankommen.intake.casse"


def test_every_topic_follows_the_naming_rule_and_has_a_dead_letter_topic():
    plan = topic_plan()
    for topic in TOPICS:
        owner = topic.name.split(".")[1]
        assert topic.name.startswith("ankommen.") and owner in {
            "intake", "assignment", "progress", "monitoring", "provider"}
        assert plan[topic.dead_letter] == 1
        assert topic.dead_letter == topic.name + ".dlq"


async def test_creating_topics_twice_creates_them_once_with_their_partitions(kafka):
    # The fixture created them already: a second run creates nothing and does not fail.
    assert await create_topics(kafka.bootstrap_servers) == []
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topic_plan()))
    finally:
        await admin.close()
    partitions = {topic["topic"]: len(topic["partitions"]) for topic in described}
    assert partitions == topic_plan()


async def listed_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_neither_a_metadata_request_nor_a_producer_creates_an_unknown_topic(kafka):
    client = AIOKafkaClient(bootstrap_servers=kafka.bootstrap_servers)
    await client.bootstrap()
    try:
        response = await client.send(client.get_random_node(), MetadataRequest(
            [UNPLANNED], allow_auto_topic_creation=True))
    finally:
        await client.close()
    # A broker that auto-creates answers "unknown" too and creates the topic in the background:
    # the producer below, which asks for the topic's metadata for 2 s, would then find it.
    assert [(topic[1], topic[0]) for topic in response.topics] == [
        (UNPLANNED, UnknownTopicOrPartitionError.errno)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers,
                                request_timeout_ms=2_000)
    await producer.start()
    try:
        with pytest.raises(UnknownTopicOrPartitionError):
            await producer.send_and_wait(UNPLANNED, b"would be lost in a typo")
    finally:
        await producer.stop()
    assert UNPLANNED not in await listed_topics(kafka.bootstrap_servers)


@pytest.fixture
async def without_cases_topics(kafka):  # noqa: ANN001, ANN201
    """The test's broker without the cases topic and its dead-letter topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([CASES.name, CASES.dead_letter])
    finally:
        await admin.close()
    await eventually(lambda: listed_topics(kafka.bootstrap_servers),
                     until=lambda names: not names & {CASES.name, CASES.dead_letter},
                     timeout=30, what="the cases topics deleted")
    return kafka


async def test_guard_refuses_to_let_the_relay_send_to_a_missing_topic_in_production(
        without_cases_topics):
    guard = TopicGuard(without_cases_topics.bootstrap_servers, (CASES,),
                       create_missing_topics=False)
    try:
        with pytest.raises(LookupError, match=f"topics missing: {CASES.name}"):
            await guard.ensure()
    finally:
        await guard.close()


async def test_guard_creates_a_missing_topic_with_its_planned_partitions_in_development(
        without_cases_topics):
    guard = TopicGuard(without_cases_topics.bootstrap_servers, (CASES,),
                       create_missing_topics=True)
    guard.require_dead_letters_of(CASES)
    try:
        await guard.ensure()
        await guard.ensure()  # nothing left to do the second time
    finally:
        await guard.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=without_cases_topics.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([CASES.name, CASES.dead_letter])
    finally:
        await admin.close()
    assert {topic["topic"]: len(topic["partitions"]) for topic in described} == {
        CASES.name: CASES.partitions, CASES.dead_letter: 1}


@pytest.mark.tansu
async def test_a_service_creates_the_topics_it_consumes_before_its_consumers_ask_for_them(
        without_cases_topics, tmp_path):
    # The embedded broker would invent the cases topic for assignment's consumer, with its own
    # partition count; intake's relay, creating it from the plan at the same moment, could then
    # send to partitions that consumer is never given (see TopicGuard.ensure_consumed).
    from tests.support.services import in_process

    async with in_process("assignment", bootstrap=without_cases_topics.bootstrap_servers,
                          database_url=f"sqlite+aiosqlite:///{tmp_path / 'assignment.db'}"
                          ) as assignment:
        await eventually(lambda: assignment.client.get("/readyz"),
                         until=lambda response: response.json()["connected"], timeout=60,
                         what="assignment connected")
        admin = AIOKafkaAdminClient(bootstrap_servers=without_cases_topics.bootstrap_servers)
        await admin.start()
        try:
            assert CASES.name in await admin.list_topics()
            described = await admin.describe_topics([CASES.name])
        finally:
            await admin.close()
    assert len(described[0]["partitions"]) == CASES.partitions
