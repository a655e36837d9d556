"""The outbox relay against the real broker: order per key, stamping, retry without loss,
the trace context and content type in the Kafka headers."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import MetaData, func, select, update

from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.envelope import CONTENT_TYPE
from ankommen.shared.messaging.producer import RelayProducer
from ankommen.shared.messaging.relay import Backoff, OutboxRelay
from ankommen.shared.messaging.tables import messaging_tables
from ankommen.shared.messaging.topics import CASES, create_topics
from tests.support.polling import eventually
from tests.support.surveys import survey


async def make_outbox(url: str):  # noqa: ANN201
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    return engine, sessions, tables, UnitOfWorkFactory(sessions, tables, source="/ankommen/intake")


async def test_relay_publishes_in_commit_order_per_key_and_stamps_rows(kafka, databases):
    engine, sessions, tables, uow = await make_outbox(await databases.url("relay"))
    producer = RelayProducer(kafka.bootstrap_servers, (CASES,), client_id="relay-test")
    relay = OutboxRelay(sessions, tables, producer.send, send_wave=producer.send_wave,
                        service="test")
    pseudonyms = [secrets.token_urlsafe(24) for _ in range(3)]
    written = []
    for day in range(1, 21):
        pseudonym = pseudonyms[day % 3]
        async with uow() as unit:
            envelope = await unit.publish(CaseRegistered(
                pseudonym=pseudonym, survey=Survey(**survey()),
                registered_on=date(2026, 1, day)), key=pseudonym)
            await unit.commit()
        written.append((pseudonym, envelope.id))
    await producer.start()
    try:
        assert await relay.relay_once() == 20
        assert await relay.relay_once() == 0
    finally:
        await producer.stop()

    ours = {pseudonym.encode() for pseudonym in pseudonyms}
    received_records = await received(kafka, lambda record: record.key in ours, 20)
    for pseudonym in pseudonyms:
        sent = [event_id for key, event_id in written if key == pseudonym]
        got = [json.loads(record.value)["id"] for record in received_records
               if record.key == pseudonym.encode()]
        assert got == sent
    async with sessions() as session:
        unstamped = await session.scalar(select(func.count()).select_from(tables.outbox)
                                         .where(tables.outbox.c.published_at.is_(None)))
    assert unstamped == 0
    await engine.dispose()


async def test_relay_keeps_every_row_while_the_broker_is_down_and_sends_them_after(
        kafka, sqlite_databases):
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    producer = RelayProducer(kafka.bootstrap_servers, (CASES,), client_id="relay-test")
    relay = OutboxRelay(sessions, tables, producer.send, send_wave=producer.send_wave,
                        service="test",
                        publish_timeout=2.0, backoff=Backoff(initial=0.05, maximum=0.5))
    await producer.start()
    kafka.stop()
    running = asyncio.create_task(relay.run())
    try:
        for _ in range(5):
            async with uow() as unit:
                pseudonym = secrets.token_urlsafe(24)
                await unit.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                                  registered_on=date(2026, 1, 1)),
                                   key=pseudonym)
                await unit.commit()

        async def attempts() -> int:
            async with sessions() as session:
                return await session.scalar(select(func.max(tables.outbox.c.attempts)))

        await eventually(attempts, until=lambda count: (count or 0) >= 1, timeout=30,
                         what="a failed attempt recorded")
        assert relay.last_error is not None
        kafka.start()
        await create_topics(kafka.bootstrap_servers)

        async def unstamped() -> int:
            async with sessions() as session:
                return await session.scalar(select(func.count()).select_from(tables.outbox)
                                            .where(tables.outbox.c.published_at.is_(None)))

        await eventually(unstamped, until=lambda count: count == 0, timeout=60,
                         what="all rows published")
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(tables.outbox)) == 5
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()
        await engine.dispose()


async def test_relay_deletes_published_rows_after_the_retention_and_keeps_unsent_ones(
        sqlite_databases):
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    relay = OutboxRelay(sessions, tables, send=None, service="test",  # type: ignore[arg-type]
                        retention=timedelta(hours=1))
    for _ in range(3):
        async with uow() as unit:
            pseudonym = secrets.token_urlsafe(24)
            await unit.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                              registered_on=date(2026, 1, 1)), key=pseudonym)
            await unit.commit()
    outbox = tables.outbox
    async with sessions() as session, session.begin():
        ids = (await session.scalars(select(outbox.c.id).order_by(outbox.c.id))).all()
        await session.execute(update(outbox).where(outbox.c.id == ids[0])
                              .values(published_at=datetime.now(UTC) - timedelta(hours=2)))
        await session.execute(update(outbox).where(outbox.c.id == ids[1])
                              .values(published_at=datetime.now(UTC)))
    assert await relay.purge_published() == 1
    async with sessions() as session:
        left = (await session.scalars(select(outbox.c.id).order_by(outbox.c.id))).all()
    assert left == ids[1:]  # the recent one and the unsent one stay
    await engine.dispose()


async def test_instances_sharing_a_database_send_each_row_once_in_order(databases):
    """Scale-out: three instances of a service share its database; their relays run at the
    same time, yet every row leaves once and each key's rows leave in commit order."""
    url = await databases.url("relay")
    engine, sessions, tables, uow = await make_outbox(url)
    pseudonyms = [secrets.token_urlsafe(24) for _ in range(5)]
    written: list[tuple[str, str]] = []
    for number in range(300):
        pseudonym = pseudonyms[number % 5]
        async with uow() as unit:
            envelope = await unit.publish(CaseRegistered(
                pseudonym=pseudonym, survey=Survey(**survey()),
                registered_on=date(2026, 1, 1 + number % 28)), key=pseudonym)
            await unit.commit()
        written.append((pseudonym, envelope.id))
    sent: list[tuple[str, str]] = []

    async def send(topic: str, key: bytes, value: bytes, headers: dict) -> asyncio.Future:  # noqa: ARG001
        await asyncio.sleep(0)  # let the other relays run while this one publishes
        sent.append((key.decode(), json.loads(value)["id"]))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    instances = [await make_outbox(url) for _ in range(3)]
    relays = [OutboxRelay(instance_sessions, tables, send, service="test", batch_size=40)
              for _, instance_sessions, _, _ in instances]

    async def drain(relay: OutboxRelay) -> None:
        # A relay that finds the lock taken returns at once, so a fixed number of turns can
        # run out while another relay holds the lock on a slow machine: drain to a deadline.
        deadline = time.monotonic() + 60
        while len(set(sent)) < len(written) and time.monotonic() < deadline:
            await relay.relay_once()
            await asyncio.sleep(0.001)

    await asyncio.gather(*(drain(relay) for relay in relays))
    assert sorted(sent) == sorted(written)
    for pseudonym in pseudonyms:
        assert ([event for key, event in sent if key == pseudonym]
                == [event for key, event in written if key == pseudonym])
    for instance_engine, *_ in instances:
        await instance_engine.dispose()
    await engine.dispose()


async def test_a_round_stamps_only_the_rows_the_broker_acknowledged(sqlite_databases):
    """The broker acknowledges some rows of a round and refuses or never answers others; the
    acknowledged rows are stamped, the others stay pending with an attempt and their error."""
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    for _ in range(7):
        async with uow() as unit:
            pseudonym = secrets.token_urlsafe(24)
            await unit.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                              registered_on=date(2026, 1, 1)), key=pseudonym)
            await unit.commit()
    loop = asyncio.get_running_loop()
    answers = iter(["ack", "refuse", "ack", "silence", "ack", "cancel", "unqueued"])

    async def send(topic: str, key: bytes, value: bytes, headers: dict) -> asyncio.Future:  # noqa: ARG001
        answer = next(answers)
        if answer == "unqueued":
            raise ConnectionError("connection lost")
        future = loop.create_future()
        if answer == "ack":
            loop.call_soon(future.set_result, None)
        elif answer == "refuse":
            loop.call_soon(future.set_exception, TimeoutError("request timed out"))
        elif answer == "cancel":  # e.g. the producer stopped: not the relay's cancellation
            loop.call_soon(future.cancel)
        return future

    relay = OutboxRelay(sessions, tables, send, service="test", publish_timeout=0.5)
    outbox = tables.outbox
    try:
        await relay.relay_once()
    except ConnectionError:
        pass  # the first failure of the round is the one reported
    else:
        raise AssertionError("a round with failures must fail")
    async with sessions() as session:
        rows = (await session.execute(select(outbox.c.published_at, outbox.c.attempts,
                                             outbox.c.last_error)
                                      .order_by(outbox.c.id))).all()
    assert [row.published_at is not None for row in rows] == [True, False, True, False, True,
                                                              False, False]
    assert [row.attempts for row in rows] == [0, 1, 0, 1, 0, 1, 1]
    assert [row.last_error for row in rows] == [
        None, "TimeoutError: request timed out", None,
        "TimeoutError: no acknowledgement within 0.5 s", None,
        "RuntimeError: send cancelled by the producer", "ConnectionError: connection lost"]
    await engine.dispose()


async def test_a_cancelled_send_fails_the_round_but_not_the_relay(sqlite_databases):
    """A send the producer gave up (its future cancelled, e.g. while it stopped) is an ordinary
    failure of the round; it must not look like the relay's own cancellation, which ends it."""
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    async with uow() as unit:
        pseudonym = secrets.token_urlsafe(24)
        await unit.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                          registered_on=date(2026, 1, 1)), key=pseudonym)
        await unit.commit()

    async def send(topic: str, key: bytes, value: bytes, headers: dict) -> asyncio.Future:  # noqa: ARG001
        future = asyncio.get_running_loop().create_future()
        future.cancel()
        return future

    relay = OutboxRelay(sessions, tables, send, service="test")
    try:
        await relay.relay_once()
    except asyncio.CancelledError:
        raise AssertionError("a cancelled send must not cancel the relay") from None
    except Exception:  # noqa: BLE001 - any ordinary failure is right
        pass
    else:
        raise AssertionError("a round with a cancelled send must fail")
    async with sessions() as session:
        attempts = await session.scalar(select(tables.outbox.c.attempts))
    assert attempts == 1
    await engine.dispose()


async def test_published_messages_carry_the_stored_trace_and_the_content_type(
        kafka, sqlite_databases):
    """The relay's producer continues the trace stored with the rows: a publish span, child of
    the request's span, shared by the rows of that request, whose context travels in the Kafka
    headers; no span records the key."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine, sessions, tables, uow = await make_outbox(await sqlite_databases.url("relay"))
    requests, keys = [], []
    for rows in (3, 1):  # two requests, the first writes three events
        with provider.get_tracer("test").start_as_current_span("request") as request:
            async with uow() as unit:
                for _ in range(rows):
                    pseudonym = secrets.token_urlsafe(24)
                    await unit.publish(CaseRegistered(
                        pseudonym=pseudonym, survey=Survey(**survey()),
                        registered_on=date(2026, 1, 1)), key=pseudonym)
                    keys.append((pseudonym.encode(), request.get_span_context()))
                await unit.commit()
        requests.append(request.get_span_context())
    producer = RelayProducer(kafka.bootstrap_servers, (CASES,), client_id="relay-test",
                             tracer_provider=provider)
    relay = OutboxRelay(sessions, tables, producer.send, send_wave=producer.send_wave,
                        service="test")
    await producer.start()
    try:
        assert await relay.relay_once() == 4
    finally:
        await producer.stop()
    records = {record.key: record for record in await received(
        kafka, lambda record: record.key in dict(keys), 4)}
    spans = {span.parent.span_id: span for span in exporter.get_finished_spans()
             if span.kind is SpanKind.PRODUCER}
    assert set(spans) == {request.span_id for request in requests}
    for request, count in zip(requests, (3, None), strict=True):
        publish = spans[request.span_id]
        assert publish.name == f"{CASES.name} publish"
        assert publish.context.trace_id == request.trace_id
        assert publish.status.is_ok
        assert publish.attributes.get("messaging.batch.message_count") == count
    for key, request in keys:
        headers = dict(records[key].headers)
        assert headers["content-type"] == CONTENT_TYPE.encode()
        assert headers["correlation_id"]  # FastStream's batch consumers link only such messages
        carried = trace.get_current_span(propagate.extract(
            {name: value.decode() for name, value in headers.items()})).get_span_context()
        publish = spans[request.span_id]
        assert (carried.trace_id, carried.span_id) == (publish.context.trace_id,
                                                       publish.context.span_id)
    attributes = str([dict(span.attributes or {}) for span in spans.values()])
    assert all(key.decode() not in attributes for key, _ in keys)
    await engine.dispose()


async def received(kafka, wanted: Callable[[ConsumerRecord], bool],  # noqa: ANN001
                   count: int) -> list[ConsumerRecord]:
    """The ``wanted`` records of the cases topic, once there are ``count`` of them."""
    consumer = AIOKafkaConsumer(CASES.name, bootstrap_servers=kafka.bootstrap_servers,
                                group_id=uuid.uuid4().hex, auto_offset_reset="earliest")
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        async def fetch() -> int:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                found.extend(record for record in records if wanted(record))
            return len(found)

        await eventually(fetch, until=lambda total: total >= count, what=f"{count} records")
    finally:
        await consumer.stop()
    return found
