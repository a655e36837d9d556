"""Order per key under partial failure, against the real Apache Kafka: a row the broker refuses
holds back the later rows of its key (and only of its key) until it goes through, so the
consumer sees them in commit order; a row that keeps being refused is parked with its reason,
listed for the operator, and everything else goes on."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from ankommen.intake.app import build_runtime
from ankommen.intake.entrypoints.cli import app as intake_cli
from ankommen.shared.messaging.producer import WAVE_BATCH_BYTES, RelayProducer
from ankommen.shared.messaging.relay import OutboxRelay, count_parked, parked_rows
from ankommen.shared.messaging.tables import MessagingTables
from ankommen.shared.messaging.topics import CASES
from tests.shared.integration.test_outbox_relay import make_outbox, received
from tests.shared.integration.test_topic_settings import broker_settings
from tests.support.polling import eventually
from tests.support.services import settings_for

#: What the cases topic takes, lowered for a test: well above a small row.
TOPIC_LIMIT = 4096
#: Too large for the topic, but small enough to share a batch with other rows.
LARGE = 8000
#: Larger than a whole batch of the relay's producer: a batch of its own, the next rows in
#: another batch of the same partition — the case where aiokafka sends the next batch after
#: the first was refused.
LARGER_THAN_A_BATCH = WAVE_BATCH_BYTES + 50_000


async def add_row(sessions: async_sessionmaker[AsyncSession], outbox: Table, key: str, *,
                  size: int = 0) -> str:
    """An outbox row of the cases topic whose payload is ``size`` bytes of padding and an id."""
    event_id = uuid.uuid4().hex
    async with sessions() as session, session.begin():
        await session.execute(insert(outbox).values(
            event_id=event_id, aggregate_type="case", aggregate_id=key, type="test.row.v1",
            topic=CASES.name, payload=json.dumps({"id": event_id, "padding": "x" * size}),
            headers="{}", created_at=datetime.now(UTC), attempts=0))
    return event_id


async def limit_message_size(bootstrap: str, limit: int) -> None:
    """Set the cases topic's ``max.message.bytes`` and wait until the broker applies it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, CASES.name,
                                                  configs={"max.message.bytes": str(limit)})])
    finally:
        await admin.close()
    await eventually(lambda: broker_settings(bootstrap, [CASES.name]),
                     until=lambda found: found[CASES.name]["max.message.bytes"] == str(limit),
                     what="the topic's new size limit in effect")


def key_on_the_partition_of(key: str) -> str:
    """Another key that lands on the same partition (so its row may share a batch)."""
    partitions = list(range(CASES.partitions))
    partitioner = DefaultPartitioner()
    wanted = partitioner(key.encode(), partitions, partitions)
    while True:
        other = secrets.token_urlsafe(24)
        if partitioner(other.encode(), partitions, partitions) == wanted:
            return other


async def stamped(sessions: async_sessionmaker[AsyncSession], outbox: Table) -> set[str]:
    async with sessions() as session:
        return set(await session.scalars(select(outbox.c.event_id).where(
            outbox.c.published_at.is_not(None))))


async def wired_relay(bootstrap: str, sessions: async_sessionmaker[AsyncSession],
                      tables: MessagingTables, *, park_after: int
                      ) -> tuple[RelayProducer, OutboxRelay]:
    """The relay as the runtime wires it: its own producer (idempotent, as in production),
    started afresh after the broker refused a batch; the producer is running."""
    producer = RelayProducer(bootstrap, (CASES,), client_id="relay-order")
    relay = OutboxRelay(sessions, tables, producer.send, service="test", park_after=park_after,
                        send_wave=producer.send_wave, recover=producer.start)
    await producer.start()
    return producer, relay


def ids_of(records: list, key: str) -> list[str]:
    return [json.loads(record.value)["id"] for record in records if record.key == key.encode()]


async def test_after_a_failed_row_the_later_rows_of_its_key_wait_and_other_keys_go_on(
        databases):
    """Without a broker: which rows a round sends, and which it stamps."""
    engine, sessions, tables, _ = await make_outbox(await databases.url("relay"))
    one, two = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    a, b, c, d, e = [await add_row(sessions, tables.outbox, key)
                     for key in (one, two, one, two, one)]
    loop = asyncio.get_running_loop()
    sent: list[str] = []
    failing = {a}

    async def send(topic: str, key: bytes, value: bytes, headers: dict) -> asyncio.Future:  # noqa: ARG001
        event_id = json.loads(value)["id"]
        sent.append(event_id)
        future = loop.create_future()
        if event_id in failing:
            loop.call_soon(future.set_exception, KafkaConnectionError("connection reset"))
        else:
            loop.call_soon(future.set_result, None)
        return future

    relay = OutboxRelay(sessions, tables, send, service="test")
    with pytest.raises(KafkaConnectionError):
        await relay.relay_once()
    assert sent == [a, b, d], "the later rows of the failed key must not even be sent"
    assert await stamped(sessions, tables.outbox) == {b, d}

    failing.clear()
    sent.clear()
    assert await relay.relay_once() == 3
    assert sent == [a, c, e]
    await engine.dispose()


async def test_the_consumer_sees_the_rows_of_a_key_in_commit_order_when_the_first_is_refused(
        kafka, databases):
    engine, sessions, tables, _ = await make_outbox(await databases.url("relay"))
    await limit_message_size(kafka.bootstrap_servers, TOPIC_LIMIT)
    key = secrets.token_urlsafe(24)
    neighbour = key_on_the_partition_of(key)
    first = await add_row(sessions, tables.outbox, key, size=LARGER_THAN_A_BATCH)
    between = await add_row(sessions, tables.outbox, neighbour)
    second = await add_row(sessions, tables.outbox, key)
    producer, relay = await wired_relay(kafka.bootstrap_servers, sessions, tables,
                                        park_after=100)
    try:
        with pytest.raises(MessageSizeTooLargeError):
            await relay.relay_once()
        # The row of another key on the partition went on; the second row of the key did not.
        assert await stamped(sessions, tables.outbox) == {between}

        await limit_message_size(kafka.bootstrap_servers, 1024 * 1024)
        assert await eventually(relay.relay_once, until=lambda count: count == 2,
                                what="both rows of the key published") == 2
    finally:
        await producer.stop()

    records = await received(kafka, lambda record: record.key in {key.encode(),
                                                                  neighbour.encode()}, 3)
    assert ids_of(records, key) == [first, second]
    assert ids_of(records, neighbour) == [between]
    assert await stamped(sessions, tables.outbox) == {first, between, second}
    await engine.dispose()


async def test_a_row_that_keeps_being_refused_is_parked_and_its_key_goes_on(
        kafka, sqlite_databases, caplog):
    engine, sessions, tables, _ = await make_outbox(await sqlite_databases.url("relay"))
    await limit_message_size(kafka.bootstrap_servers, TOPIC_LIMIT)
    key = secrets.token_urlsafe(24)
    other = key_on_the_partition_of(key)
    too_large = await add_row(sessions, tables.outbox, key, size=LARGE)
    elsewhere = await add_row(sessions, tables.outbox, other)
    after = await add_row(sessions, tables.outbox, key)
    producer, relay = await wired_relay(kafka.bootstrap_servers, sessions, tables,
                                        park_after=2)
    try:
        with pytest.raises(MessageSizeTooLargeError):
            await relay.relay_once()  # refused once: the key waits
        # The other key's row shared the refused batch: sent again alone, it went through.
        assert await stamped(sessions, tables.outbox) == {elsewhere}
        with caplog.at_level(logging.ERROR, logger="ankommen.shared.messaging.relay"):
            assert await relay.relay_once() == 2  # refused again: parked, and the key goes on
        later = await add_row(sessions, tables.outbox, key)
        assert await relay.relay_once() == 1  # the relay carries on past the parked row
    finally:
        await producer.stop()

    records = await received(kafka, lambda record: record.key in {key.encode(), other.encode()},
                             3)
    assert ids_of(records, key) == [after, later]
    (parked,) = await parked_rows(sessions, tables.outbox)
    assert (parked.event_id, parked.topic, parked.attempts) == (too_large, CASES.name, 2)
    assert parked.reason.startswith("MessageSizeTooLargeError: MESSAGE_SIZE_TOO_LARGE")
    assert await count_parked(sessions, tables.outbox) == 1
    (logged,) = [record for record in caplog.records if "parked" in record.getMessage()]
    assert logged.outbox_id == parked.id and logged.reason == parked.reason
    assert key not in str(vars(logged)), "the key is a pseudonym: it stays out of the logs"
    await engine.dispose()


async def test_the_service_command_lists_parked_rows_and_releases_them(
        sqlite_databases, monkeypatch):
    url = await sqlite_databases.url("intake")
    runtime = build_runtime(settings_for("intake", database_url=url))
    await runtime.migrate()
    outbox = runtime.definition.tables.outbox
    waiting = await add_row(runtime.sessions, outbox, secrets.token_urlsafe(24))
    parked = await add_row(runtime.sessions, outbox, secrets.token_urlsafe(24), size=LARGE)
    async with runtime.sessions() as session, session.begin():
        await session.execute(outbox.update().where(outbox.c.event_id == parked).values(
            parked_at=datetime.now(UTC), attempts=3,
            park_reason="MessageSizeTooLargeError: MESSAGE_SIZE_TOO_LARGE: too large"))
        parked_id = await session.scalar(select(outbox.c.id).where(outbox.c.event_id == parked))
    await runtime.engine.dispose()
    monkeypatch.setenv("ANKOMMEN_INTAKE_DATABASE_URL", url)

    # The commands run their own event loop, as from a shell.
    listed = await asyncio.to_thread(CliRunner().invoke, intake_cli, ["outbox", "parked"])
    assert listed.exit_code == 0, listed.output
    assert "1 parked outbox row(s)" in listed.stdout
    assert f"event {parked}" in listed.stdout and waiting not in listed.stdout
    assert "MESSAGE_SIZE_TOO_LARGE" in listed.stdout

    released = await asyncio.to_thread(CliRunner().invoke, intake_cli,
                                       ["outbox", "release", str(parked_id)])
    assert released.exit_code == 0, released.output
    listed = await asyncio.to_thread(CliRunner().invoke, intake_cli, ["outbox", "parked"])
    assert "no parked outbox rows" in listed.stdout


async def test_an_erasure_deletes_the_parked_rows_of_its_case(sqlite_databases):
    """A parked row keeps the pseudonym, and released after the erasure it would announce a
    case that no longer exists: the erasure deletes it, as it deletes the published rows."""
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    outbox = tables.outbox
    erased, kept = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    parked = await add_row(sessions, outbox, erased, size=LARGE)
    pending = await add_row(sessions, outbox, erased)
    other = await add_row(sessions, outbox, kept)
    async with sessions() as session, session.begin():
        await session.execute(outbox.update().where(outbox.c.event_id.in_([parked, other]))
                              .values(parked_at=datetime.now(UTC), park_reason="too large"))
    async with uow() as unit:
        await unit.forget_published_events(erased)
        await unit.commit()
    async with sessions() as session:
        left = set(await session.scalars(select(outbox.c.event_id)))
    assert left == {pending, other}, "pending rows still go out; another case's stay parked"
    await engine.dispose()
