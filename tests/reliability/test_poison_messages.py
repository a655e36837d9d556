"""Poison messages on every consumed topic, for every consumer group: every message ends
applied or dead-lettered, none is skipped.

Whatever a service consumes — enumerated from the services' own runtimes, not from a list that
could drift — gets, interleaved with valid events on one partition: the malformed messages the
issue names (not JSON, an unknown type, an invalid payload, an unknown schema version, empty,
a tombstone, invalid UTF-8, binary, 50,000-deep nesting, 15 MB, JSON of the wrong shape,
``NaN``, a number beyond any float, binary and null header values) and up to 60 per topic that
hypothesis generates (any bytes, any JSON, valid events with one part replaced). They are all
on the topic before the services start, so the batch consumers (assignment, provider reports
in progress, facts in monitoring) get batches with poison between valid events.

Then, for every group: its committed offset reaches the end of the partition (it went past
everything), every valid event it handles is in its inbox (applied once: monitoring counts
each fact once; its facts consumer's inbox is the facts archive, marked processed), and every
malformed message is on ``<topic>.dlq`` with the reason the decoder gives for it — the 15 MB
one as a truncated copy that says so. Skipped: 0.

Part of the embedded path's smoke set: it runs on Apache Kafka and on Tansu.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from sqlalchemy import select

from ankommen.monitoring.adapters.tables import fact_archive
from ankommen.shared.events import InvalidEvent
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.consumer import (
    DLQ_GROUP,
    DLQ_OFFSET,
    DLQ_ORIGINAL_SIZE,
    DLQ_PARTITION,
    DLQ_REASON,
    DLQ_TRUNCATED,
    BatchEventConsumer,
    EventConsumer,
)
from ankommen.shared.messaging.topics import (
    DEAD_LETTER_PARTITIONS,
    FACTS,
    ProviderTopic,
    topic_configs,
)
from ankommen.shared.stack import SERVICES
from tests.reliability.broker_kinds import NAMES, description
from tests.support.brokers import APACHE_KAFKA, provider_channels
from tests.support.event_examples import valid_event
from tests.support.figures import record
from tests.support.poison import any_body, draw_examples, nested, with_field
from tests.support.polling import eventually
from tests.support.services import in_process, settings_for, token

pytestmark = [pytest.mark.timeout(300), pytest.mark.tansu]

#: Valid events per consumer group, and malformed messages hypothesis generates per topic.
VALID_PER_GROUP = 3
GENERATED_PER_TOPIC = 60
HUGE = 15_000_000
#: The one partition every message of a topic goes to, so that they stay in the order sent.
PARTITION = 0
#: The provider whose reports topic the test writes (progress reads every provider's).
PROVIDER = "vhs-a"


def topic_of(consumer: EventConsumer) -> str:
    """The topic the test writes for ``consumer``: its own, or, for the consumer of every
    provider's reports, the test provider's."""
    if isinstance(consumer.topic, ProviderTopic):
        return consumer.topic.of(PROVIDER).name
    return consumer.topic.name


def consumers_of_every_service() -> list[tuple[str, EventConsumer]]:
    """(service, consumer) for every consumer the services register at start-up."""
    found = []
    for service in SERVICES:
        app = importlib.import_module(f"ankommen.{service}.app")
        runtime = app.build_runtime(settings_for(service, database_url="sqlite+aiosqlite://"))
        found += [(service, consumer) for consumer in runtime.consumers]
    return found


@dataclass(frozen=True)
class Message:
    label: str
    body: bytes | None
    key: bytes
    headers: tuple[tuple[str, bytes | None], ...] = ()


def named_poison(valid: bytes) -> list[Message]:
    """The malformed messages the issue names, derived from a valid event of the topic."""
    document = json.loads(valid)

    def variant(**changes: object) -> bytes:
        return json.dumps({**document, "id": str(uuid.uuid4()), **changes}).encode()

    field = next(iter(document["data"]))
    key = b"poison"
    return [Message(label, body, key) for label, body in [
        ("not JSON", b"\xff{not json"),
        ("unknown type", variant(type="ankommen.nobody.nothing.v1")),
        ("invalid payload", variant(data={"unexpected": True})),
        ("wrong schema version", variant(type=document["type"].rsplit(".v", 1)[0] + ".v999")),
        ("empty", b""),
        ("tombstone", None),
        ("invalid UTF-8", b'{"type": "\xc3\x28", "source": "/t"}'),
        ("binary", bytes(range(256))),
        ("50,000-deep nesting", nested(50_000)),
        ("50,000-deep nesting inside an event", with_field(document, "data", field,
                                                           nested(50_000))),
        ("15 MB", variant(data={**document["data"], field: "x" * HUGE})),
        ("a JSON array", b"[1, 2, 3]"),
        ("a JSON string", b'"an event"'),
        ("JSON null", b"null"),
        ("payload a list", variant(data=[document["data"]])),
        ("NaN in the payload", with_field(document, "data", field, b"NaN")),
        ("a number beyond any float", with_field(document, "data", field, b"1e400")),
        ("5,000 digits", with_field(document, "data", field, b"9" * 5000)),
    ]] + [Message("binary and null header values", b"\x00not json", key,
                  (("traceparent", b"\xff\xfe\xfd"), ("x-null", None)))]


#: What the reasons of the first four named messages say.
EXPECTED_REASONS = {"not JSON": "body: not valid JSON",
                    "unknown type": "unknown event type 'ankommen.nobody.nothing.v1'",
                    "invalid payload": "data.", "wrong schema version": ".v999'",
                    "15 MB": "body: 15,0"}


def reason_of(consumer: EventConsumer, body: bytes | None) -> str | None:
    """Why ``consumer`` must dead-letter ``body`` (None: it is a valid event)."""
    try:
        consumer._decode(body or b"", consumer.topic.name)
    except InvalidEvent as invalid:
        return invalid.reason
    return None


async def allow_large_messages(bootstrap: str, topics: list[str]) -> None:
    """Apache Kafka refuses messages over 1 MB (``max.message.bytes``); a provider's broker
    may allow more, so the consumed topics here take the 15 MB message. Tansu has no limit."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(
            ConfigResourceType.TOPIC, name,
            configs={**topic_configs(name), "max.message.bytes": str(2 * HUGE)})
            for name in topics])
    finally:
        await admin.close()


async def committed(bootstrap: str, groups: dict[str, str]) -> dict[str, int]:
    """Group → its committed offset on the topic's partition (-1: none yet)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        found = {}
        for group, topic in groups.items():
            partition = TopicPartition(topic, PARTITION)
            offsets = await admin.list_consumer_group_offsets(group, partitions=[partition])
            found[group] = offsets[partition].offset if partition in offsets else -1
        return found
    finally:
        await admin.close()


async def read_dead_letters(bootstrap: str, topics: list[str]) -> list:
    """Every message on the dead-letter topics of ``topics``, read without a group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic + ".dlq", number) for topic in topics
                      for number in range(DEAD_LETTER_PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found = []
        deadline = time.monotonic() + 30

        async def unread() -> bool:
            return any([await consumer.position(partition) < ends[partition]
                        for partition in partitions])

        while await unread():
            assert time.monotonic() < deadline, "dead letters not readable"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += records
        return found
    finally:
        await consumer.stop()


async def test_every_message_on_every_consumed_topic_is_applied_or_dead_lettered(
        broker_kind, kafka, sqlite_databases, monkeypatch):  # noqa: ANN001
    started = time.monotonic()
    consumers = consumers_of_every_service()
    topics = sorted({topic_of(consumer) for _, consumer in consumers})
    assert {service for service, _ in consumers} == {"intake", "assignment", "progress",
                                                      "monitoring"}
    bootstrap = kafka.bootstrap_servers

    # What is sent, and per group what must become of each message (by its offset).
    plan: dict[str, list[Message]] = {}
    valid_ids: dict[str, dict[bytes, str]] = {}  # group → body → event id it must apply
    generated = 0
    for topic in topics:
        groups = [consumer for _, consumer in consumers if topic_of(consumer) == topic]
        valid = []
        for consumer in groups:
            for _ in range(VALID_PER_GROUP):
                body, key, event_id = valid_event(topic, consumer.event_types)
                valid.append(Message("valid", body, key.encode()))
                valid_ids.setdefault(consumer.group_id, {})[body] = event_id
        with_headers, key, event_id = valid_event(topic, groups[0].event_types)
        valid.append(Message("valid, binary and null header values", with_headers,
                             key.encode(), (("x-binary", b"\xff\x00"), ("x-null", None))))
        valid_ids[groups[0].group_id][with_headers] = event_id
        documents = [json.loads(message.body) for message in valid]
        fuzzed = [Message("generated", body, b"fuzz")
                  for body in draw_examples(any_body(documents), GENERATED_PER_TOPIC)
                  if all(reason_of(consumer, body) for consumer in groups)]
        generated += len(fuzzed)
        poison = named_poison(valid[0].body) + fuzzed
        # Valid events spread among the poison: the batch consumers see poison in the
        # middle of valid events.
        step = max(1, len(poison) // len(valid))
        messages = []
        for index, message in enumerate(valid):
            messages += [message] + poison[index * step:(index + 1) * step]
        plan[topic] = messages + poison[len(valid) * step:]

    await provider_channels(bootstrap, PROVIDER)
    if broker_kind == APACHE_KAFKA:
        await allow_large_messages(bootstrap, topics)
    offsets: dict[str, list[tuple[int, Message]]] = {}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False,
                                max_request_size=2 * HUGE, linger_ms=5)
    await producer.start()
    try:
        for topic, messages in plan.items():
            sent = [await producer.send(topic, message.body, key=message.key,
                                        partition=PARTITION, headers=list(message.headers))
                    for message in messages]
            offsets[topic] = [((await future).offset, message)
                              for future, message in zip(sent, messages, strict=True)]
    finally:
        await producer.stop()

    # Which batches the batch consumers were given: poison must sit between valid events.
    batches: list[tuple[str, list[bool]]] = []
    consumed = BatchEventConsumer._consumed

    def remember_batches(self, records, headers):  # noqa: ANN001, ANN202
        items = consumed(self, records, headers)
        batches.append((self.group_id, [item.delivery is not None for item in items]))
        return items

    monkeypatch.setattr(BatchEventConsumer, "_consumed", remember_batches)

    ends = {topic: max(offset for offset, _ in sent) + 1 for topic, sent in offsets.items()}
    groups = {consumer.group_id: topic_of(consumer) for _, consumer in consumers}
    async with contextlib.AsyncExitStack() as stack:
        running = {service: await stack.enter_async_context(in_process(
            service, bootstrap=bootstrap, database_url=await sqlite_databases.url(service)))
            for service in ("intake", "assignment", "progress", "monitoring")}
        await eventually(lambda: committed(bootstrap, groups),
                         until=lambda found: all(found[group] >= ends[topic]
                                                 for group, topic in groups.items()),
                         timeout=120, interval=0.5,
                         what="every group committed past every message of its topic")

        applied: dict[str, set[str]] = {}
        for service, consumer in consumers:
            inbox = running[service].runtime.definition.tables.inbox
            # Monitoring's facts consumer keeps no inbox rows: its archive is the record.
            applied_ids = (select(inbox.c.event_id).where(inbox.c.consumer == consumer.group_id)
                           if consumer.uses_inbox else
                           select(fact_archive.c.event_id).where(fact_archive.c.processed))
            async with running[service].runtime.sessions() as session:
                applied[consumer.group_id] = set(await session.scalars(applied_ids))
        status = (await running["monitoring"].client.get(
            "/status", headers=token(Role.ADMIN))).json()

    letters = await read_dead_letters(bootstrap, topics)
    by_group: dict[str, dict[int, list]] = {}
    for letter in letters:
        headers = {name: value.decode() for name, value in letter.headers}
        assert headers[DLQ_PARTITION] == str(PARTITION)
        by_group.setdefault(headers[DLQ_GROUP], {}).setdefault(
            int(headers[DLQ_OFFSET]), []).append((letter, headers))

    dead_lettered = applied_count = skipped = duplicates = truncated = 0
    malformed = {(topic, offset) for _, consumer in consumers
                 for topic in [topic_of(consumer)] for offset, message in offsets[topic]
                 if reason_of(consumer, message.body) is not None}
    for _, consumer in consumers:
        group, topic = consumer.group_id, topic_of(consumer)
        letters_of_group = by_group.get(group, {})
        expected_ids = set(valid_ids[group].values())
        missing = expected_ids - applied[group]
        assert not missing, f"{group}: valid events not applied: {len(missing)}"
        applied_count += len(expected_ids)
        for offset, message in offsets[topic]:
            reason = reason_of(consumer, message.body)
            found = letters_of_group.get(offset, [])
            if reason is None:
                assert not found, (group, message.label, found[0][1][DLQ_REASON])
                continue
            if not found:
                skipped += 1
                continue
            duplicates += len(found) - 1
            letter, headers = found[0]
            assert headers[DLQ_REASON] == reason[:1000], (group, message.label)
            if message.label in EXPECTED_REASONS:
                assert EXPECTED_REASONS[message.label] in headers[DLQ_REASON]
            if message.label == "15 MB":
                assert headers[DLQ_TRUNCATED] == "true"
                assert int(headers[DLQ_ORIGINAL_SIZE]) == len(message.body)
                assert letter.value == message.body[:len(letter.value)]
                truncated += 1
            else:
                assert letter.value == (message.body or b""), (group, message.label)
            dead_lettered += 1
        unexpected = set(letters_of_group) - {offset for offset, _ in offsets[topic]}
        assert not unexpected, f"{group}: dead letters of offsets never sent"
    assert skipped == 0, f"{skipped} malformed messages were neither applied nor dead-lettered"
    assert duplicates == 0, f"{duplicates} malformed messages were dead-lettered twice"
    # Applied once: monitoring counts every fact in its inbox exactly once (the services
    # publish facts of their own as they apply the valid events, so there are more).
    [facts_group] = [group for group, topic in groups.items() if topic == FACTS.name]
    assert status["facts_processed"] == len(applied[facts_group]), (
        "a fact was counted twice or not at all")

    poison_in_the_middle = Counter(
        group for group, items in batches
        if any(not item and any(items[:index]) and any(items[index + 1:])
               for index, item in enumerate(items)))
    batch_groups = {consumer.group_id for _, consumer in consumers
                    if isinstance(consumer, BatchEventConsumer)}
    assert set(poison_in_the_middle) == batch_groups, poison_in_the_middle

    sent = sum(len(messages) for messages in offsets.values())
    section = f"poison messages on {NAMES[broker_kind]}"
    record(section, "broker", description(broker_kind))
    record(section, "consumed topics", len(topics))
    record(section, "consumer groups", len(consumers))
    record(section, "messages sent", sent)
    record(section, "of which malformed", len(malformed))
    record(section, "of which generated by hypothesis", generated)
    record(section, "malformed messages dead-lettered with their reason (all groups)",
           dead_lettered)
    record(section, "of which truncated (15 MB)", truncated)
    record(section, "valid events applied (all groups)", applied_count)
    record(section, "skipped", skipped)
    record(section, "dead-lettered twice", duplicates)
    record(section, "batches with poison between valid events", sum(
        poison_in_the_middle.values()))
    record(section, "seconds", round(time.monotonic() - started, 1))
    print(f"{NAMES[broker_kind]}: {sent} messages, {generated} generated, {dead_lettered} "
          f"dead-lettered, {applied_count} applied, {skipped} skipped, "
          f"{time.monotonic() - started:.1f} s")
