"""Topics are defined in one place and created idempotently, dead-letter topics included."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from ankommen.shared.embedded import EmbeddedBroker, free_port
from ankommen.shared.topics import CASES, TOPICS, TopicGuard, create_topics, topic_plan


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


@pytest.fixture
def empty_broker(tmp_path):  # noqa: ANN001, ANN201
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=tmp_path / "broker.log").start()
    yield broker
    broker.stop()


async def test_guard_refuses_to_let_the_relay_send_to_a_missing_topic_in_production(
        empty_broker):
    guard = TopicGuard(empty_broker.bootstrap_servers, (CASES,), create_missing_topics=False)
    try:
        with pytest.raises(LookupError, match=f"topics missing: {CASES.name}"):
            await guard.ensure()
    finally:
        await guard.close()


async def test_guard_creates_a_missing_topic_with_its_planned_partitions_in_development(
        empty_broker):
    guard = TopicGuard(empty_broker.bootstrap_servers, (CASES,), create_missing_topics=True)
    guard.require(CASES.dead_letter, 1)
    try:
        await guard.ensure()
        await guard.ensure()  # nothing left to do the second time
    finally:
        await guard.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=empty_broker.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([CASES.name, CASES.dead_letter])
    finally:
        await admin.close()
    assert {topic["topic"]: len(topic["partitions"]) for topic in described} == {
        CASES.name: CASES.partitions, CASES.dead_letter: 1}
