"""The broker itself refuses what a principal may not do: Apache Kafka with the authoriser on
(``allow.everyone.if.no.acl.found=false``), SASL/SCRAM, and the ACL plan of
:mod:`ankommen.shared.messaging.kafka_acls` — as in production and ``make run``.

Each refusal replays an attack of issue 14: someone holding one service's (or one provider's)
credentials writes an event onto a topic that another service owns, to be believed there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest
from aiokafka.errors import TopicAuthorizationFailedError
from confluent_kafka import OFFSET_BEGINNING, Consumer
from confluent_kafka import TopicPartition as ConfluentPartition

from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.kafka_access import KafkaAccess
from ankommen.shared.messaging.kafka_acls import librdkafka_config
from ankommen.shared.messaging.topics import CASES, COURSES, FACTS, PARTICIPATION, PLACEMENTS
from ankommen.shared.messaging.topics import provider_rejections_topic as rejections
from ankommen.shared.messaging.topics import provider_reports_topic as reports
from tests.support.brokers import connects, write_as
from tests.support.services import in_process, one_registration_reached_every_service, token
from tests.support.surveys import registration

#: (principal, a topic it does not own): each write must be refused by the broker.
FORGERIES = [
    ("progress", PLACEMENTS.name),  # a forged PlacementConfirmed → a disclosure at intake
    ("progress", CASES.name),  # a forged CaseErased
    ("intake", COURSES.name),  # a forged CoursePublished
    ("assignment", PARTICIPATION.name),
    ("monitoring", CASES.name),  # the public container writes nothing
    ("monitoring", FACTS.name),  # not even the facts it reads
    ("provider-vhs-a", reports("vhs-b").name),  # a report in another provider's name
    ("provider-vhs-a", PLACEMENTS.name),
    ("provider-vhs-a", rejections("vhs-a").name),
    ("assignment", COURSES.dead_letter),  # dead letters only of what it consumes

]


@pytest.mark.parametrize(("user", "topic"), FORGERIES, ids=[f"{u}->{t}" for u, t in FORGERIES])
async def test_a_principal_writing_a_topic_it_does_not_own_is_refused_by_the_broker(
        secured_kafka, user, topic):
    with pytest.raises(TopicAuthorizationFailedError):
        await write_as(secured_kafka.access(user), topic)


async def test_owners_write_their_own_topics(secured_kafka):
    """The other side of the refusals: the same clients, on their own topics, get through."""
    await write_as(secured_kafka.access("assignment"), PLACEMENTS.name)
    await write_as(secured_kafka.access("monitoring"), FACTS.dead_letter)
    await write_as(secured_kafka.access("provider-vhs-a"), reports("vhs-a").name)
    # Intake consumes the courses topic (the disclosure rule): it dead-letters there.
    await write_as(secured_kafka.access("intake"), COURSES.dead_letter)


def first_error_reading(access: KafkaAccess, group: str, topic: str) -> str | None:
    """Read ``topic`` from its start as ``access``; the first error the broker answers with.

    Without DESCRIBE the broker does not even admit the topic exists (its metadata answer is
    the refusal); with DESCRIBE but without READ the fetch is refused."""
    consumer = Consumer({**librdkafka_config(access), "group.id": group,
                         "enable.auto.commit": False})
    try:
        described = consumer.list_topics(topic, timeout=10).topics[topic]
        if described.error is not None:
            return described.error.name()
        consumer.assign([ConfluentPartition(topic, partition, OFFSET_BEGINNING)
                         for partition in described.partitions])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and message.error() is not None:
                return message.error().name()
            if message is not None:
                return None
        return None
    finally:
        consumer.close()


@pytest.mark.parametrize(("user", "group", "topic"), [
    ("monitoring", "ankommen.monitoring.facts", CASES.name),  # pseudonyms for the public one
    ("provider-vhs-a", "provider-vhs-a", rejections("vhs-b").name),
    ("intake", "ankommen.intake.placements", FACTS.name),
])
async def test_a_principal_reading_a_topic_it_does_not_consume_is_refused(
        secured_kafka, user, group, topic):
    assert await asyncio.to_thread(first_error_reading, secured_kafka.access(user), group,
                                   topic) == "TOPIC_AUTHORIZATION_FAILED"


async def test_a_principal_reads_what_it_consumes(secured_kafka):
    await write_as(secured_kafka.access("progress"), rejections("vhs-a").name)
    await write_as(secured_kafka.access("assignment"), COURSES.name)
    assert await asyncio.to_thread(first_error_reading, secured_kafka.access("provider-vhs-a"),
                                   "provider-vhs-a", rejections("vhs-a").name) is None
    assert await asyncio.to_thread(first_error_reading, secured_kafka.access("intake"),
                                   "ankommen.intake.courses", COURSES.name) is None


async def test_a_wrong_password_is_refused(secured_kafka, caplog):
    assert await connects(secured_kafka.access("intake"))
    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        assert not await connects(secured_kafka.access("intake", "guessed-password"))
    assert "SaslAuthenticationFailed" in caplog.text
    # Nor without any credentials: the listener speaks SASL only.
    assert not await connects(KafkaAccess(secured_kafka.bootstrap_servers))


async def test_services_work_end_to_end_with_their_own_principals(secured_kafka,
                                                                  sqlite_databases):
    """One registration reaches all four services, each signed in as itself: the ACLs
    allow everything the system does (a missing grant would stall an event here)."""
    async with contextlib.AsyncExitStack() as stack:
        system = {}
        for name in ("intake", "assignment", "progress", "monitoring"):
            system[name] = await stack.enter_async_context(in_process(
                name, bootstrap=secured_kafka.bootstrap_servers,
                database_url=await sqlite_databases.url(name), kafka_username=name,
                kafka_password=secured_kafka.passwords[name],
                kafka_ca_file=secured_kafka.access(name).ca_file))
        response = await system["intake"].client.post(
            "/cases", json=registration(german_level="A2"), headers=token(Role.INTAKE_STAFF))
        assert response.status_code == 201, response.text
        await one_registration_reached_every_service(system)
