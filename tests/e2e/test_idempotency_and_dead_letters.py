"""Consumers are idempotent on the event id, and messages that are not valid events go to the
dead-letter topic with the reason while consumption carries on."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.intake import ArrivalRecorded, CaseRegistered, Survey
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.consumer import DLQ_GROUP, DLQ_REASON, DLQ_TOPIC
from ankommen.shared.messaging.topics import CASES, FACTS
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.surveys import survey


def case_registered(pseudonym: str | None = None) -> bytes:
    data = CaseRegistered(pseudonym=pseudonym or secrets.token_urlsafe(24),
                          survey=Survey(**survey()), registered_on=date(2026, 11, 2))
    return registry.envelope(data, source="/ankommen/intake", subject=data.pseudonym).to_bytes()


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]],
                  headers: list[tuple[str, bytes]] | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key, headers=headers or [])
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topic: str, expected: int, timeout_ms: int = 20000) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=uuid.uuid4().hex,
                                auto_offset_reset="earliest")
    await consumer.start()
    records = []
    try:
        async def more() -> int:
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
            return len(records)

        await eventually(more, until=lambda count: count >= expected, timeout=timeout_ms / 1000,
                         what=f"{expected} messages on {topic}")
    finally:
        await consumer.stop()
    return records


async def waiting_count(assignment) -> int:  # noqa: ANN001
    response = await assignment.client.get("/waiting-list", headers=token(Role.COORDINATOR))
    return response.json()["count"]


async def test_same_event_delivered_twice_has_one_effect(kafka, databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("assignment")) as assignment:
        duplicate = case_registered()
        key = b"one-partition"
        # Same key, so one partition: the third event is consumed after both copies.
        await produce(kafka.bootstrap_servers, CASES.name,
                      [(key, duplicate), (key, duplicate), (key, case_registered())])

        inbox = assignment.runtime.definition.tables.inbox

        async def processed() -> int:
            async with assignment.runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(inbox))

        await eventually(processed, until=lambda count: count == 2, what="both events processed")
        assert await waiting_count(assignment) == 2


@pytest.mark.tansu
async def test_malformed_messages_are_dead_lettered_and_consumption_continues(
        kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        unknown = json.loads(case_registered())
        unknown["type"] = "ankommen.intake.case_teleported.v1"
        invalid = json.loads(case_registered())
        invalid["data"]["survey"]["german_level"] = "Z9"
        key = b"same-partition"
        await produce(kafka.bootstrap_servers, CASES.name, [
            (key, b"this is not JSON {"),
            (key, json.dumps(unknown).encode()),
            (key, json.dumps(invalid).encode()),
            (key, case_registered()),
        ], headers=[("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])

        assert await eventually(lambda: waiting_count(assignment), what="valid event consumed") == 1
        dead = await read_all(kafka.bootstrap_servers, CASES.dead_letter, expected=3)

    reasons = [dict(record.headers)[DLQ_REASON].decode() for record in dead]
    assert reasons[0].startswith("body: not valid JSON")
    assert "unknown event type 'ankommen.intake.case_teleported.v1'" in reasons[1]
    assert reasons[2].startswith("data.survey.german_level")
    first = dict(dead[0].headers)
    assert dead[0].value == b"this is not JSON {"
    assert first[DLQ_TOPIC] == CASES.name.encode()
    assert first[DLQ_GROUP] == b"ankommen.assignment.cases"
    assert first["traceparent"].startswith(b"00-0af7651916cd43dd8448eb211c80319c")


async def test_monitoring_dead_letters_a_fact_that_names_a_subject(kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        fact = ArrivalRecorded(record_key=secrets.token_hex(16), month="2026-11",
                               district="03358", age_band="27_to_44", gender="female",
                               german_level="B1", reads_latin_script=True,
                               schooling_band="10_to_12", needs_childcare=False,
                               residence_status="recognised_refugee")
        leaking = registry.envelope(fact, source="/ankommen/intake",
                                    subject=secrets.token_urlsafe(24))
        clean = registry.envelope(fact.model_copy(update={"record_key": secrets.token_hex(16)}),
                                  source="/ankommen/intake")
        key = b"facts"
        await produce(kafka.bootstrap_servers, FACTS.name,
                      [(key, leaking.to_bytes()), (key, case_registered()),
                       (key, clean.to_bytes())])

        async def total() -> int:
            return (await monitoring.client.get(
                "/status", headers=token(Role.ADMIN))).json()["facts_processed"]

        assert await eventually(total, what="the clean fact counted") == 1
        dead = await read_all(kafka.bootstrap_servers, FACTS.dead_letter, expected=2)
    reasons = [dict(record.headers)[DLQ_REASON].decode() for record in dead]
    assert reasons[0].startswith("subject: a fact must not name a subject")
    assert reasons[1].startswith("provenance: ankommen.intake.case_registered.v1 is published "
                                 "by intake on ankommen.intake.cases; came on "
                                 "ankommen.monitoring.facts")


@pytest.mark.tansu
async def test_handler_that_keeps_failing_is_dead_lettered_after_bounded_attempts(
        kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment"),
                          consumer_max_attempts=3) as assignment:
        pseudonym = secrets.token_urlsafe(24)
        key = pseudonym.encode()
        # Two different events for one pseudonym: the second cannot be stored (primary key),
        # however often it is tried.
        await produce(kafka.bootstrap_servers, CASES.name,
                      [(key, case_registered(pseudonym)), (key, case_registered(pseudonym)),
                       (key, case_registered())])
        assert await eventually(lambda: waiting_count(assignment),
                                until=lambda count: count == 2, what="later event consumed") == 2
        dead = await read_all(kafka.bootstrap_servers, CASES.dead_letter, expected=1)
    assert dict(dead[0].headers)[DLQ_REASON].decode().startswith(
        "handler failed 3 times: IntegrityError")


async def test_handler_that_raises_oserror_from_a_bug_is_dead_lettered_after_bounded_attempts(
        kafka, sqlite_databases, monkeypatch):
    """An ``OSError`` raised by handler code (not by the database driver) is a bug, not the
    database being away: it is tried the bounded number of times and dead-lettered, and the
    events after it are processed — rather than handed back and retried for ever."""
    from ankommen.progress.adapters.tables import known_cases
    from ankommen.progress.service import catalogue

    remember = catalogue.CASE_EVENTS[CaseRegistered]
    broken, attempts = secrets.token_urlsafe(24), []

    async def with_a_bug(uow, event) -> None:  # noqa: ANN001
        if event.data.pseudonym == broken:
            attempts.append(event.envelope.id)
            raise FileNotFoundError(2, "No such file or directory", "/etc/ankommen/template")
        await remember(uow, event)

    # The consumer takes its handlers from this table when the service is built.
    monkeypatch.setitem(catalogue.CASE_EVENTS, CaseRegistered, with_a_bug)
    good = secrets.token_urlsafe(24)
    async with in_process("progress", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("progress"),
                          consumer_max_attempts=3) as progress:
        key = b"one-partition"
        await produce(kafka.bootstrap_servers, CASES.name,
                      [(key, case_registered(broken)), (key, case_registered(good))])

        async def stored() -> set[str]:
            async with progress.runtime.sessions() as session:
                return set(await session.scalars(select(known_cases.c.pseudonym)))

        assert await eventually(stored, until=lambda found: good in found,
                                what="the event after the broken one processed") == {good}
        dead = await read_all(kafka.bootstrap_servers, CASES.dead_letter, expected=1)
    assert len(attempts) == 3
    assert dict(dead[0].headers)[DLQ_REASON].decode().startswith(
        "handler failed 3 times: FileNotFoundError")
