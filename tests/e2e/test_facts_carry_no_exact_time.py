"""The link attack of issue 15, item 5, replayed: someone who can read both the cases topic and
the facts topic (an operator, a leaked consumer credential) tries to tell which de-identified
fact belongs to which registration by what the two messages share — the envelope time (it was
the same microsecond), the Kafka record timestamp (the same relay send), the trace context (the
same request's trace). None of it links them any more: the fact says only its month, its record
timestamp is that month's start, it carries no trace context, and monitoring's archive keeps
only the day it received it (and no inbox row, revision 0008)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select

from ankommen.monitoring.adapters.archive import FactArchive
from ankommen.shared.events.contracts.facts import month_start
from ankommen.shared.events.contracts.intake import ArrivalRecorded, CaseRegistered
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import CASES, FACTS, Topic
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.surveys import registration

TRACE_HEADERS = {"traceparent", "tracestate", "baggage"}


async def end_offsets(bootstrap: str, topic: Topic) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.end_offsets([TopicPartition(topic.name, number)
                                           for number in range(topic.partitions)])
    finally:
        await consumer.stop()


async def read_until(bootstrap: str, start: dict[TopicPartition, int],
                     enough: Callable[[list[ConsumerRecord]], bool], what: str
                     ) -> list[ConsumerRecord]:
    """The records written after ``start`` (partition → offset), read until ``enough``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(start))
        for partition, offset in start.items():
            consumer.seek(partition, offset)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + 30
        while not enough(records):
            assert time.monotonic() < deadline, f"no {what} within 30 s: {records}"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def of_type(records: list[ConsumerRecord], event_type: str) -> list[ConsumerRecord]:
    return [record for record in records if json.loads(record.value)["type"] == event_type]


async def test_a_fact_shares_no_time_and_no_trace_with_its_case_event(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    # A real tracer: the request has a trace, so a trace context would be there to leak.
    common = {"bootstrap": bootstrap, "tracer_provider": TracerProvider()}
    async with contextlib.AsyncExitStack() as stack:
        intake = await stack.enter_async_context(in_process(
            "intake", database_url=await sqlite_databases.url("intake"), **common))
        monitoring = await stack.enter_async_context(in_process(
            "monitoring", database_url=await sqlite_databases.url("monitoring"), **common))
        # The services created the topics; read what is written from now on.
        cases_from, facts_from = (await end_offsets(bootstrap, CASES),
                                  await end_offsets(bootstrap, FACTS))
        assert cases_from and facts_from
        response = await intake.client.post("/cases", json=registration(),
                                            headers=token(Role.INTAKE_STAFF))
        assert response.status_code == 201, response.text
        pseudonym = response.json()["pseudonym"]

        [case] = of_type(await read_until(
            bootstrap, cases_from, lambda found: bool(of_type(found, CaseRegistered.event_type)),
            "case event on the cases topic"), CaseRegistered.event_type)
        [fact] = of_type(await read_until(
            bootstrap, facts_from, lambda found: bool(of_type(found, ArrivalRecorded.event_type)),
            "arrival fact on the facts topic"), ArrivalRecorded.event_type)
        envelope = json.loads(fact.value)

        async def archived() -> tuple[str, datetime | None] | None:
            async with monitoring.runtime.sessions() as session:
                return await FactArchive(session, FACTS.name).body(envelope["id"])

        body, received_at = await eventually(archived, until=lambda row: row is not None,
                                             what="the fact in monitoring's archive")
        inbox = monitoring.runtime.definition.tables.inbox
        async with monitoring.runtime.sessions() as session:
            inbox_rows = await session.scalar(select(func.count()).select_from(inbox))

    case_envelope = json.loads(case.value)
    assert case.key == pseudonym.encode()
    case_time = datetime.fromisoformat(case_envelope["time"])
    start = month_start(envelope["data"]["month"])
    now = datetime.now(UTC)
    # The fact says its month, nothing finer: envelope time and record timestamp alike.
    assert datetime.fromisoformat(envelope["time"]) == start
    assert fact.timestamp == int(start.timestamp() * 1000)
    assert fact.timestamp_type == 0, "CreateTime: the producer's month start, kept by the broker"
    assert case_time.strftime("%Y-%m") == envelope["data"]["month"]
    # No trace context: the case event carries the request's, the fact none at all.
    fact_headers = dict(fact.headers)
    assert TRACE_HEADERS & set(dict(case.headers)), "the case event carries the request's trace"
    assert not TRACE_HEADERS & set(fact_headers)
    # Nothing on the fact's record equals anything that dates the case event.
    fact_bytes = fact.value + b"".join(fact_headers.values())
    for moment in (case_envelope["time"], case_time.isoformat(), str(case.timestamp),
                   str(int(case_time.timestamp())), case_time.strftime("%Y-%m-%dT%H:%M")):
        assert moment.encode() not in fact_bytes, moment
    assert fact.timestamp != case.timestamp
    # Header by header, only the content type is the same (the correlation id is random).
    assert {name for name, value in fact_headers.items()
            if dict(case.headers).get(name) == value} == {"content-type"}
    # Monitoring keeps the day it received the fact, not the moment.
    assert json.loads(body)["time"] == envelope["time"]
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert received_at == today
    # No inbox row (revision 0008): the archive row, which keeps only the day, is the record.
    assert inbox_rows == 0, "monitoring's facts consumer writes no inbox rows"
