"""Topics are defined in one place and created idempotently, dead-letter topics included."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from ankommen.shared.topics import TOPICS, create_topics, topic_plan


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
