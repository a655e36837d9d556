"""The consumers' exception paths, on fakes of the broker side: a message is acknowledged only
once it was applied or dead-lettered. A dead letter too large for the broker is written as a
truncated copy that says so; one the broker refuses for another reason, or any failure outside
the handler, hands the message back (``nack``) instead of acknowledging it.

The real-broker proof (every topic, every group, Kafka and Tansu) is
``tests/reliability/test_poison_messages.py``."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from aiokafka.structs import ConsumerRecord
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.parser import AioKafkaBatchParser, AioKafkaParser

from ankommen.shared.events import InvalidEvent
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging import consumer as consuming
from ankommen.shared.messaging.consumer import (
    DLQ_HEADERS_DROPPED,
    DLQ_OFFSET,
    DLQ_ORIGINAL_SIZE,
    DLQ_PARTITION,
    DLQ_REASON,
    DLQ_TOPIC,
    DLQ_TRUNCATED,
    MAX_KEPT_HEADERS_BYTES,
    TRUNCATED_BODY_BYTES,
    BatchEventConsumer,
    EventConsumer,
)
from ankommen.shared.messaging.topics import CASES, PROVIDER_REPORTS, Topic, provider_reports_topic
from tests.support.event_examples import valid_event


def record(value: bytes | None, *, offset: int = 7, key: bytes | None = b"key",
           headers: tuple = (), topic: str = CASES.name) -> ConsumerRecord:
    return ConsumerRecord(topic=topic, partition=2, offset=offset, timestamp=0,
                          timestamp_type=0, key=key, value=value, checksum=None,
                          serialized_key_size=len(key or b""),
                          serialized_value_size=len(value or b""), headers=headers)


class FakeMessage:
    """What the consumers use of FastStream's KafkaMessage: body, headers, ack and nack."""

    def __init__(self, records: ConsumerRecord | tuple[ConsumerRecord, ...],
                 headers: dict[str, str] | None = None) -> None:
        self.raw_message = records
        self.headers = headers or {}
        if isinstance(records, tuple):
            self.body = [item.value or b"" for item in records]
            self.batch_headers = [self.headers for _ in records]
        else:
            self.body = records.value or b""
            self.batch_headers = []
        self.outcome: str | None = None

    async def ack(self) -> None:
        assert self.outcome is None
        self.outcome = "ack"

    async def nack(self) -> None:
        assert self.outcome is None
        self.outcome = "nack"


class FakeDeadLetters:
    """The dead-letter publisher: fails with ``failures`` first, in order, and refuses a body
    larger than ``max_bytes`` as aiokafka's producer does (``max_request_size``)."""

    def __init__(self, *failures: Exception, max_bytes: int = 1024 * 1024) -> None:
        self.failures = list(failures)
        self.max_bytes = max_bytes
        self.sent: list[tuple[bytes, Any, dict[str, str]]] = []
        self.topics: list[str] = []

    async def publish(self, body: bytes, topic: str = "", *, key: Any,
                      headers: dict[str, str]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        if len(body) > self.max_bytes:
            raise MessageSizeTooLargeError(f"The message is {len(body)} bytes")
        self.sent.append((body, key, headers))
        self.topics.append(topic)


def single(dead_letters: FakeDeadLetters, **options: Any) -> EventConsumer:
    consumer = EventConsumer(group_id="ankommen.tests.unit", topic=CASES, uow=None,
                             retry_delay=0, **{"handlers": {}, **options})
    consumer._dead_letters = dead_letters
    return consumer


def batched(dead_letters: FakeDeadLetters, topic: Topic = CASES
            ) -> BatchEventConsumer:
    consumer = BatchEventConsumer(group_id="ankommen.tests.unit", topic=topic, uow=None,
                                  handler=None, event_types=(CaseRegistered,), retry_delay=0)
    consumer._dead_letters = dead_letters
    return consumer


async def test_a_message_that_is_no_event_is_dead_lettered_then_acknowledged():
    dead_letters = FakeDeadLetters()
    message = FakeMessage(record(b"\xff{not json"))
    await single(dead_letters).process(message)
    assert message.outcome == "ack"
    [(body, key, headers)] = dead_letters.sent
    assert (body, key) == (b"\xff{not json", b"key")
    assert headers[DLQ_REASON].startswith("body: not valid JSON (not UTF-8")
    assert (headers[DLQ_TOPIC], headers[DLQ_PARTITION], headers[DLQ_OFFSET]) == (
        CASES.name, "2", "7")
    assert dead_letters.topics == [CASES.dead_letter]


async def test_a_pattern_consumers_dead_letters_go_to_each_consumed_topics_own():
    """Progress reads every provider's reports topic; a dead letter stays with the provider
    whose topic it came on."""
    dead_letters = FakeDeadLetters()
    topics = [provider_reports_topic(provider_id) for provider_id in ("vhs-a", "vhs-b")]
    message = FakeMessage(tuple(record(b"not json", offset=number, topic=topic.name)
                                for number, topic in enumerate(topics)))
    await batched(dead_letters, PROVIDER_REPORTS).process_batch(message)
    assert message.outcome == "ack"
    assert dead_letters.topics == [topic.dead_letter for topic in topics]
    assert [headers[DLQ_TOPIC] for _, _, headers in dead_letters.sent] == [
        topic.name for topic in topics]


async def test_a_dead_letter_the_broker_refuses_hands_the_message_back_unacknowledged():
    dead_letters = FakeDeadLetters(KafkaConnectionError("broker went away"))
    message = FakeMessage(record(b"not json"))
    await single(dead_letters).process(message)
    assert message.outcome == "nack"
    assert dead_letters.sent == []


async def test_a_missing_dead_letter_topic_hands_the_message_back_unacknowledged():
    consumer = single(FakeDeadLetters())

    async def topic_missing() -> None:
        raise LookupError("ankommen.intake.cases.dlq does not exist")

    consumer.before_dead_letter = topic_missing
    message = FakeMessage(record(b"not json"))
    await consumer.process(message)
    assert message.outcome == "nack"


@pytest.mark.parametrize("refusal", [
    MessageSizeTooLargeError("The message is 15000000 bytes when serialized"),  # the producer
    MessageSizeTooLargeError(),  # the broker (error code 10, message.max.bytes)
])
async def test_a_dead_letter_too_large_to_write_is_written_truncated(refusal):
    body = b"{" + b"x" * 15_000_000
    dead_letters = FakeDeadLetters(refusal)
    message = FakeMessage(record(body, key=b"k" * 50_000),
                          headers={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"})
    await single(dead_letters).process(message)
    assert message.outcome == "ack"
    [(copy, key, headers)] = dead_letters.sent
    assert copy == body[:TRUNCATED_BODY_BYTES]
    assert len(key) == 1024
    assert headers[DLQ_TRUNCATED] == "true"
    assert headers[DLQ_ORIGINAL_SIZE] == "15000001"
    assert headers[DLQ_REASON] == ("body: 15,000,001 bytes, more than the 1,048,576 an event "
                                   "may have")
    assert (headers[DLQ_TOPIC], headers[DLQ_PARTITION], headers[DLQ_OFFSET]) == (
        CASES.name, "2", "7")
    assert headers["traceparent"].startswith("00-aaaa")
    assert sum(len(name) + len(value) for name, value in headers.items()) < 4096


async def test_a_truncated_dead_letter_the_broker_still_refuses_hands_the_message_back():
    dead_letters = FakeDeadLetters(MessageSizeTooLargeError(), KafkaConnectionError("away"))
    message = FakeMessage(record(b"x" * 2_000))
    await single(dead_letters).process(message)
    assert message.outcome == "nack"


async def test_dead_letter_headers_are_bounded_whatever_the_original_carried():
    huge = {"x-huge": "h" * 15_000_000, **{f"x-{number}": "v" * 1000 for number in range(40)}}
    dead_letters = FakeDeadLetters()
    message = FakeMessage(record(b"not json"), headers=huge)
    await single(dead_letters).process(message)
    assert message.outcome == "ack"
    [(_, _, headers)] = dead_letters.sent
    assert "x-huge" not in headers
    kept = {name: value for name, value in headers.items() if name.startswith("x-")}
    assert sum(len(name) + len(value) for name, value in kept.items()) <= MAX_KEPT_HEADERS_BYTES
    assert int(headers[DLQ_HEADERS_DROPPED]) == 1 + 40 - len(kept)


@pytest.mark.parametrize("broken", [KeyError("subject"), RuntimeError("bug"), RecursionError()])
async def test_whatever_a_consumers_own_check_raises_dead_letters_the_message(broken):
    def check(_: Any) -> None:
        raise broken

    dead_letters = FakeDeadLetters()
    message = FakeMessage(record(_valid_case_registered()))
    await single(dead_letters, check=check).process(message)
    assert message.outcome == "ack"
    [(_, _, headers)] = dead_letters.sent
    assert headers[DLQ_REASON] == (
        f"check: the consumer's check failed ({type(broken).__name__})")


async def test_a_check_that_refuses_gives_its_own_reason():
    def check(_: Any) -> None:
        raise InvalidEvent("subject: not allowed here")

    dead_letters = FakeDeadLetters()
    await single(dead_letters, check=check).process(FakeMessage(record(_valid_case_registered())))
    assert dead_letters.sent[0][2][DLQ_REASON] == "subject: not allowed here"


async def test_a_failure_outside_the_handler_hands_the_message_back(monkeypatch):
    def broken_decode(*_: object) -> None:
        raise MemoryError

    consumer = single(FakeDeadLetters())
    monkeypatch.setattr(consumer, "_decode", broken_decode)
    message = FakeMessage(record(b"{}"))
    await consumer.process(message)
    assert message.outcome == "nack"


async def test_a_batch_whose_dead_letter_is_refused_is_handed_back_whole():
    dead_letters = FakeDeadLetters(KafkaConnectionError("away"))
    message = FakeMessage(tuple(record(b"not json", offset=offset) for offset in range(3)))
    await batched(dead_letters).process_batch(message)
    assert message.outcome == "nack"


async def test_a_batch_of_poison_is_dead_lettered_message_by_message_then_acknowledged():
    bodies = [b"", b"\x00\x01", b"[" * 50_000, b"{}", b"x" * 2_000_000]
    dead_letters = FakeDeadLetters()
    message = FakeMessage(tuple(record(body, offset=offset)
                                for offset, body in enumerate(bodies)))
    await batched(dead_letters).process_batch(message)
    assert message.outcome == "ack"
    assert [headers[DLQ_OFFSET] for _, _, headers in dead_letters.sent] == [
        "0", "1", "2", "3", "4"]
    assert dead_letters.sent[-1][2][DLQ_TRUNCATED] == "true"


@pytest.mark.parametrize("parser", [AioKafkaParser, AioKafkaBatchParser])
async def test_binary_and_null_header_values_reach_the_consumer_readable(parser):
    raw = record(b"not json", headers=(("traceparent", b"\xff\xfe"), ("empty", None),
                                       ("fine", b"ok")))
    parse = parser(msg_class=KafkaAckableMessage, regex=None)
    original = parse.parse_batch if parser is AioKafkaBatchParser else parse.parse_message
    argument = (raw,) if parser is AioKafkaBatchParser else raw
    with pytest.raises((UnicodeDecodeError, AttributeError)):
        await original(argument)  # FastStream alone fails before any handler runs
    message = await consuming._parse_tolerating_headers(argument, original)
    headers = message.batch_headers[0] if parser is AioKafkaBatchParser else message.headers
    assert headers == {"traceparent": "\ufffd\ufffd", "empty": "", "fine": "ok"}


def _valid_case_registered() -> bytes:
    return valid_event(CASES.name)[0]
