"""The topics carry the settings production needs — asked of a real Apache Kafka broker, not of
the plan: retention per topic (the facts topic for ever, because monitoring's rebuild replays
it), ``min.insync.replicas`` from the replication factor, no unclean leader election; and
``ankommen topics create`` reports an existing topic created without them."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from typer.testing import CliRunner

from ankommen.shared.cli.main import app
from ankommen.shared.messaging.topics import (
    DAY_MS,
    FACTS,
    TOPICS,
    differences_from_plan,
    min_insync_replicas,
    provider_rejections_topic,
    provider_reports_topic,
    topic_configs,
    topic_plan,
)
from tests.support.polling import eventually


async def broker_settings(bootstrap: str, names: list[str]) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names])
    finally:
        await admin.close()
    return {resource["resource_name"]: {entry["config_names"]: entry["config_value"]
                                        for entry in resource["config_entries"]}
            for response in responses for resource in response.to_object()["resources"]}


def test_min_insync_replicas_is_two_of_three_and_never_all():
    assert [min_insync_replicas(factor) for factor in (1, 2, 3, 5)] == [1, 1, 2, 2]


async def test_every_topic_is_created_with_its_retention_and_replication_settings(kafka):
    settings = await broker_settings(kafka.bootstrap_servers, list(topic_plan()))

    assert set(settings) == set(topic_plan())
    for values in settings.values():
        assert values["min.insync.replicas"] == "1"  # a single node: one replica
        assert values["unclean.leader.election.enable"] == "false"
        assert values["cleanup.policy"] == "delete"
        assert values["retention.bytes"] == "-1"
    assert settings[FACTS.name]["retention.ms"] == "-1", "the rebuild replays every fact"
    # The producer's timestamp (a fact's month start), never the broker's moment of append,
    # which would link a fact to its case event; month-old timestamps are accepted.
    assert settings[FACTS.name]["message.timestamp.type"] == "CreateTime"
    assert int(settings[FACTS.name]["message.timestamp.before.max.ms"]) >= 400 * DAY_MS
    for topic in TOPICS:
        assert settings[topic.dead_letter]["retention.ms"] == str(30 * DAY_MS)
        if topic is not FACTS:
            assert 0 < int(settings[topic.name]["retention.ms"]) <= 14 * DAY_MS, topic.name
    assert await differences_from_plan(kafka.bootstrap_servers, 1) == {}


async def test_topics_create_reports_a_facts_topic_that_would_lose_facts(kafka, monkeypatch):
    # An installation from before the plan had retention: the facts topic keeps the broker's
    # default week (AlterConfigs replaces every setting of the topic with this one).
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, FACTS.name,
                                                  configs={"retention.ms": str(7 * DAY_MS)})])
    finally:
        await admin.close()
    # The controller commits the change; the broker applies it from the metadata log.
    await eventually(lambda: broker_settings(kafka.bootstrap_servers, [FACTS.name]),
                     until=lambda found: found[FACTS.name]["retention.ms"] == str(7 * DAY_MS),
                     what="the altered retention in effect")
    monkeypatch.setenv("ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_servers)
    monkeypatch.setenv("ANKOMMEN_KAFKA_PROVIDERS", "")

    # The command runs its own event loop, as from a shell.
    result = await asyncio.to_thread(CliRunner().invoke, app, ["topics", "create"])

    assert result.exit_code == 0, result.output
    assert "none (all existed)" in result.stdout
    assert f"existing topic {FACTS.name} differs from the plan" in result.stderr
    assert f"retention.ms={7 * DAY_MS}, planned -1" in result.stderr
    fix = ",".join(f"{key}={value}" for key, value in topic_configs(FACTS.name).items())
    assert f"--entity-name {FACTS.name} --add-config {fix}" in result.stderr
    assert list(await differences_from_plan(kafka.bootstrap_servers, 1)) == [FACTS.name]


async def test_topics_create_makes_each_listed_providers_own_topics(kafka, monkeypatch):
    providers = [f"p-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    monkeypatch.setenv("ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap_servers)
    monkeypatch.setenv("ANKOMMEN_KAFKA_PROVIDERS", ",".join(providers))

    result = await asyncio.to_thread(CliRunner().invoke, app, ["topics", "create"])

    assert result.exit_code == 0, result.output
    own = topic_plan((), providers)
    assert set(result.stdout.split(": ", 1)[1].split("\n", 1)[0].split(", ")) == set(own)
    settings = await broker_settings(kafka.bootstrap_servers, list(own))
    for provider_id in providers:
        for topic, days in ((provider_reports_topic(provider_id), 7),
                            (provider_rejections_topic(provider_id), 14)):
            assert settings[topic.name]["retention.ms"] == str(days * DAY_MS)
            assert settings[topic.dead_letter]["retention.ms"] == str(30 * DAY_MS)
    assert await differences_from_plan(kafka.bootstrap_servers, 1, providers) == {}
