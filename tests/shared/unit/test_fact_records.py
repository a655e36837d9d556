"""What the relay's producer puts on a fact's Kafka record (issue 15): the envelope time — the
month's start — as the record timestamp, and no trace context, even if a stored row had one;
every other topic keeps the send time and carries the trace. No broker needed: the record is
built before it is sent."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider

from ankommen.shared.events.contracts.intake import ArrivalFact
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.producer import RelayProducer, envelope_time_ms
from ankommen.shared.messaging.relay import can_never_be_sent
from ankommen.shared.messaging.topics import CASES, FACTS, topic_configs

STORED = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          "tracestate": "vendor=1", "baggage": "k=v"}


def fact_body() -> bytes:
    fact = ArrivalFact(record_key=secrets.token_hex(16), month="2026-11", district="03358",
                       german_level="A1")
    return registry.envelope(fact, source="/ankommen/intake",
                             time=fact.stamped_time(datetime.now(UTC))).to_bytes()


def producer() -> RelayProducer:
    return RelayProducer("127.0.0.1:9", (CASES, FACTS), client_id="test",
                         tracer_provider=TracerProvider())


def test_a_fact_record_carries_its_months_start_and_no_trace_context():
    headers, timestamp_ms, _ = producer()._record(FACTS.name, fact_body(), STORED)  # noqa: SLF001
    assert timestamp_ms == int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
    assert {name for name, _ in headers} == {"correlation_id"}


def test_a_case_event_record_keeps_the_send_time_and_continues_the_trace():
    headers, timestamp_ms, _ = producer()._record(CASES.name, b"{}", STORED)  # noqa: SLF001
    assert timestamp_ms is None
    sent = dict(headers)
    assert sent["traceparent"].split(b"-")[1] == STORED["traceparent"].split("-")[1].encode()


@pytest.mark.parametrize("body", [b"{}", b"not json", json.dumps({"time": "yesterday"}).encode(),
                                  json.dumps({"time": "2026-11-01T00:00:00"}).encode()])
def test_a_fact_row_without_a_readable_time_can_never_be_sent_and_is_parked(body):
    with pytest.raises(LookupError) as refused:
        envelope_time_ms(body)
    assert can_never_be_sent(refused.value)


def test_the_facts_topic_keeps_the_producers_timestamp():
    assert topic_configs(FACTS.name)["message.timestamp.type"] == "CreateTime"
    assert "message.timestamp.type" not in topic_configs(CASES.name)
