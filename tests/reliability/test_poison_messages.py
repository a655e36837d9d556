"""Poison messages on every consumed topic: whatever a service consumes — enumerated from the
services' own runtimes, not from a list that could drift — gets four malformed messages (not
JSON, an unknown type, an invalid payload, a schema version nobody knows). Each lands on that
topic's dead-letter topic once per consuming group, with the reason in the header, and a valid
event sent after them is still processed (its id reaches the consumer's inbox).

Part of the embedded path's smoke set: it runs on Apache Kafka and on Tansu.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import secrets
import uuid
from datetime import date, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import select

from ankommen.shared.embedded import SERVICES
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import (
    CoursePublished,
    PlacementOffered,
    PlacementWithdrawn,
    WithdrawalReason,
)
from ankommen.shared.events.contracts.facts import ArrivalFact
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.contracts.progress import CourseDiscontinued, ProviderReportSubmitted
from ankommen.shared.messaging.consumer import DLQ_GROUP, DLQ_REASON, EventConsumer
from ankommen.shared.topics import (
    CASES,
    COURSES,
    FACTS,
    PARTICIPATION,
    PLACEMENTS,
    PROVIDER_REPORTS,
)
from tests.assignment.builders import course
from tests.reliability.broker_kinds import NAMES, description
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import in_process, settings_for
from tests.support.surveys import survey

pytestmark = [pytest.mark.timeout(300), pytest.mark.tansu]


def consumers_of_every_service() -> list[tuple[str, EventConsumer]]:
    """(service, consumer) for every consumer the services register at start-up."""
    found = []
    for service in SERVICES:
        app = importlib.import_module(f"ankommen.{service}.app")
        runtime = app.build_runtime(settings_for(service, database_url="sqlite+aiosqlite://"))
        found += [(service, consumer) for consumer in runtime.consumers]
    return found


def valid_event(topic: str, handled: frozenset = frozenset()) -> tuple[bytes, str, str]:
    """(body, key, event id) of a valid event a consumer of ``topic`` handles (``handled``:
    the consumer's event types, where groups on one topic handle different ones)."""
    pseudonym, code = secrets.token_urlsafe(24), "ABCD-EFGH-2"
    source, subject = "/tests", pseudonym
    if topic == CASES.name:
        data = CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                              registered_on=date.today())
    elif topic == COURSES.name:
        data, subject = CoursePublished(course=course(course_id=f"c-{uuid.uuid4().hex[:8]}")), None
    elif topic == PLACEMENTS.name and PlacementOffered not in handled and handled:
        data = PlacementWithdrawn(placement_id=uuid.uuid4().hex, pseudonym=pseudonym,
                                  referral_code=code, course_id="c-1", provider_id="vhs-a",
                                  reason=next(iter(WithdrawalReason)))
    elif topic == PLACEMENTS.name:
        data = PlacementOffered(placement_id=uuid.uuid4().hex, pseudonym=pseudonym,
                                referral_code=code, course_id="c-1", provider_id="vhs-a",
                                offered_on=date.today())
    elif topic == PARTICIPATION.name:
        data = CourseDiscontinued(pseudonym=pseudonym, referral_code=code, course_id="c-1",
                                  report_id=uuid.uuid4().hex, reason="moved_away",
                                  discontinued_on=date.today() - timedelta(days=1))
    elif topic == PROVIDER_REPORTS.name:
        data, source, subject = ProviderReportSubmitted(report={
            "kind": "enrolment", "report_id": "r-1", "referral_code": code,
            "started_on": date.today().isoformat()}), "/providers/vhs-a", None
    elif topic == FACTS.name:
        data, subject = ArrivalFact(record_key=secrets.token_hex(16), month="2026-01",
                                    district="03358", german_level="A1"), None
    else:
        raise AssertionError(f"{topic} is consumed but has no valid example here: add one")
    envelope = registry.envelope(data, source=source, subject=subject)
    return envelope.to_bytes(), subject or envelope.id, envelope.id


def poison(valid: bytes) -> dict[str, bytes]:
    """Four kinds of malformed message, derived from a valid one."""
    document = json.loads(valid)
    unknown = {**document, "id": str(uuid.uuid4()), "type": "ankommen.nobody.nothing.v1"}
    invalid = {**document, "id": str(uuid.uuid4()), "data": {"unexpected": True}}
    version = {**document, "id": str(uuid.uuid4()),
               "type": document["type"].rsplit(".v", 1)[0] + ".v999"}
    return {"not JSON": b"\xff{not json", "unknown type": json.dumps(unknown).encode(),
            "invalid payload": json.dumps(invalid).encode(),
            "wrong schema version": json.dumps(version).encode()}


#: What each reason names, in the order the malformed messages are sent.
EXPECTED_REASONS = ("body: not valid JSON", "unknown event type 'ankommen.nobody.nothing.v1'",
                    "data.", ".v999'")


async def dead_letters(bootstrap: str, topic: str) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=uuid.uuid4().hex,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        found = []
        for records in (await consumer.getmany(timeout_ms=1500)).values():
            found += records
        return found
    finally:
        await consumer.stop()


async def test_malformed_messages_on_every_consumed_topic_are_dead_lettered_with_the_reason(
        broker_kind, kafka, sqlite_databases):  # noqa: ANN001
    consumers = consumers_of_every_service()
    topics = sorted({consumer.topic.name for _, consumer in consumers})
    assert {service for service, _ in consumers} == {"intake", "assignment", "progress",
                                                      "monitoring"}
    bootstrap = kafka.bootstrap_servers
    async with contextlib.AsyncExitStack() as stack:
        running = {service: await stack.enter_async_context(in_process(
            service, bootstrap=bootstrap, database_url=await sqlite_databases.url(service)))
            for service in ("intake", "assignment", "progress", "monitoring")}
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
        await producer.start()
        valid = {consumer.group_id: valid_event(consumer.topic.name, consumer.event_types)
                 for _, consumer in consumers}
        try:
            for topic in topics:
                examples = {valid[consumer.group_id] for _, consumer in consumers
                            if consumer.topic.name == topic}
                body, key, _ = min(examples)
                for malformed in poison(body).values():
                    await producer.send_and_wait(topic, malformed, key=key.encode())
                for body, key, _ in sorted(examples):
                    await producer.send_and_wait(topic, body, key=key.encode())
        finally:
            await producer.stop()

        for service, consumer in consumers:
            body, _, valid_id = valid[consumer.group_id]
            assert registry.models[json.loads(body)["type"]] in consumer.event_types, (
                f"{consumer.group_id}: the valid example does not exercise a handler")
            inbox = running[service].runtime.definition.tables.inbox

            async def processed(consumer=consumer, service=service, inbox=inbox,
                                valid_id=valid_id) -> bool:
                async with running[service].runtime.sessions() as session:
                    return bool(await session.scalar(select(inbox.c.event_id).where(
                        inbox.c.consumer == consumer.group_id,
                        inbox.c.event_id == valid_id)))

            await eventually(processed, timeout=90, interval=0.5,
                             what=f"{consumer.group_id} processed the valid event after poison")

        checked = 0
        for topic in topics:
            groups = {consumer.group_id for _, consumer in consumers
                      if consumer.topic.name == topic}
            letters = await eventually(
                lambda topic=topic: dead_letters(bootstrap, topic + ".dlq"),
                until=lambda found, groups=groups: len(found) >= 4 * len(groups), timeout=60,
                what=f"dead letters of {topic}")
            by_group: dict[str, list[str]] = {}
            for letter in letters:
                headers = {name: value.decode() for name, value in letter.headers}
                assert headers[DLQ_REASON], letter
                by_group.setdefault(headers[DLQ_GROUP], []).append(headers[DLQ_REASON])
            assert set(by_group) == groups
            for group, reasons in by_group.items():
                assert len(reasons) == 4, (group, reasons)
                for reason, expected in zip(reasons, EXPECTED_REASONS, strict=True):
                    assert expected in reason, (group, reason)
                print(f"{topic} / {group}: {reasons}")
                checked += len(reasons)
    section = f"poison messages on {NAMES[broker_kind]}"
    record(section, "broker", description(broker_kind))
    record(section, "consumed topics", len(topics))
    record(section, "consumer groups", len(consumers))
    record(section, "malformed messages dead-lettered with a reason", checked)
