"""Consuming events exactly-once in effect: inbox, bounded retries, dead letters, late acks.

Every consumed message goes through :meth:`EventConsumer.process`:

1. decode and validate it against the event registry — a message that is not a valid event
   (not JSON, unknown type, invalid payload, not from the type's owning service on its topic
   — :mod:`ankommen.shared.events.provenance` —, refused by the consumer's own check) goes
   straight to the dead-letter topic with the reason: retrying cannot fix it;
2. in one unit of work: skip it if the inbox already has its id, otherwise run the handler and
   record the id in the inbox — so a redelivered event has one effect;
3. only after that transaction committed, acknowledge (commit the offset).

A handler that fails is tried ``max_attempts`` times with backoff, then dead-lettered with the
reason; the consumer carries on with the next message. If the database itself is unreachable
the message is not the problem: it is handed back (``nack``) and redelivered after a pause,
never dead-lettered. Which failure is which is decided by the database drivers' own exception
types (:mod:`ankommen.shared.messaging.failures`): a handler bug that raises ``OSError`` is
dead-lettered after its attempts, not retried for ever.

**Every message ends applied or dead-lettered, never skipped.** Acknowledging commits the
consumer's position, which is past every message it has been given; so a message that was
neither applied nor dead-lettered must not be followed by an acknowledgement. Whatever goes
wrong outside the handler — a dead letter the broker refuses, the dead-letter topic missing,
a bug here — ends in ``nack``: FastStream then seeks every partition of the message (or of the
batch) back to its first unacknowledged offset, so it is delivered again after a pause, and
nothing later is committed before it. A dead letter too large for the broker is replaced by a
truncated copy that says so (:data:`DLQ_TRUNCATED`), with the original's size, topic,
partition and offset; its headers are bounded, since a header can be as large as a body.

:class:`BatchEventConsumer` does the same for many messages at once (a FastStream batch
subscriber): one unit of work for the whole batch — the handler sees every new event of the
batch together with its Kafka key, and all inbox ids go in with one insert. Invalid messages
are dead-lettered one by one (only after the batch committed, so a database outage cannot
dead-letter them twice); a database outage hands the whole batch back; a handler failure on
the batch is retried message by message, so one poison message is dead-lettered while the
others are kept. A batch handed back is delivered again whole; the inbox skips what it had
already applied, and a dead letter written before the hand-back may be written twice (dead
letters are at least once; the offset headers tell copies apart).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypedDict, Unpack, cast

from aiokafka.errors import MessageSizeTooLargeError, RecordListTooLargeError
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import exists, insert, select

from ankommen.shared.db.unit_of_work import UnitOfWorkFactory, UnitT
from ankommen.shared.events.envelope import EventData, InvalidEvent
from ankommen.shared.events.provenance import check_provenance
from ankommen.shared.events.registry import DecodedEvent, registry
from ankommen.shared.messaging.failures import is_transient
from ankommen.shared.messaging.topics import DEAD_LETTER_SUFFIX, Topic

logger = logging.getLogger(__name__)

#: Handles one event in the consumer's unit of work (the service's own, with its
#: repositories); the consumer commits it together with the inbox row.
Handler = Callable[[UnitT, DecodedEvent], Awaitable[None]]


class ConsumerGroupOptions(TypedDict, total=False):
    """A consumer group's session and heartbeat timing, as FastStream's subscriber takes it
    (``CommonSettings.consumer_group_options``)."""

    session_timeout_ms: int
    heartbeat_interval_ms: int


@dataclass(frozen=True)
class Delivery:
    """One consumed event together with the Kafka key it arrived under (``None``: no key)
    and the topic it came from (a pattern subscription reads many)."""

    event: DecodedEvent
    key: str | None
    topic: str = ""


#: Handles the new (not yet seen) events of one batch, in the order consumed.
BatchHandler = Callable[[UnitT, Sequence[Delivery]], Awaitable[None]]
#: An extra acceptance rule of a consumer; raises InvalidEvent to dead-letter the message.
Check = Callable[[DecodedEvent], None]

DLQ_REASON = "ankommen-dlq-reason"
DLQ_TOPIC = "ankommen-dlq-original-topic"
DLQ_PARTITION = "ankommen-dlq-original-partition"
DLQ_OFFSET = "ankommen-dlq-original-offset"
DLQ_GROUP = "ankommen-dlq-consumer-group"
DLQ_FAILED_AT = "ankommen-dlq-failed-at"
#: Set ("true") on a dead letter whose body (and key) is only the beginning of the original,
#: which was too large to be written; :data:`DLQ_ORIGINAL_SIZE` has the original's size.
DLQ_TRUNCATED = "ankommen-dlq-truncated"
DLQ_ORIGINAL_SIZE = "ankommen-dlq-original-size"
#: How many of the original message's headers were left out of the dead letter (too large).
DLQ_HEADERS_DROPPED = "ankommen-dlq-original-headers-dropped"
#: The W3C trace-context header a traced message carries.
TRACEPARENT = "traceparent"

#: Bounds of a dead letter's own parts. A reason is read by people; the original's headers
#: are kept while they are small (a header can be as large as a body, and a dead letter that
#: cannot be written would hold its message up for ever).
MAX_REASON_CHARS = 1000
MAX_KEPT_HEADER_BYTES = 4096
MAX_KEPT_HEADERS_BYTES = 16 * 1024
#: The truncated copy of a dead letter too large to write: its body and key are cut to these
#: sizes, far below the broker's default ``message.max.bytes`` (1 MB) with every header.
TRUNCATED_BODY_BYTES = 64 * 1024
TRUNCATED_KEY_BYTES = 1024
#: The longest pause before a message that could not be processed is delivered again.
MAX_REDELIVERY_PAUSE_S = 5.0


def failure_reason(attempts: int, failure: BaseException) -> str:
    return f"handler failed {attempts} times: {type(failure).__name__}: {failure}"[
        :MAX_REASON_CHARS]


def _failure_summary(attempts: int, failure: BaseException) -> str:
    """What the log says about a handler failure: the type only, since an exception's message
    (an SQL statement's parameters, say) may hold personal data."""
    return f"handler failed {attempts} times: {type(failure).__name__}"


def _too_large(error: BaseException) -> bool:
    """The producer (``max_request_size``) or the broker (``message.max.bytes``) refused the
    message for its size."""
    return isinstance(error, MessageSizeTooLargeError | RecordListTooLargeError)


class DatabaseUnavailable(Exception):
    """The database could not be reached: hand the message back, it is not at fault."""


def _bounded_headers(original: Mapping[str, str]) -> tuple[dict[str, str], int]:
    """The original headers a dead letter keeps (small ones, up to a total), and how many
    were left out."""
    kept: dict[str, str] = {}
    total = dropped = 0
    for name, value in original.items():
        size = len(name.encode()) + len(value.encode())
        if size > MAX_KEPT_HEADER_BYTES or total + size > MAX_KEPT_HEADERS_BYTES:
            dropped += 1
            continue
        kept[name] = value
        total += size
    return kept, dropped


def _truncated_copy_headers(kept: Mapping[str, str], ours: Mapping[str, str],
                            original_count: int, original_size: int) -> dict[str, str]:
    """The headers of a truncated dead letter: ours, the trace context (so the copy stays in
    the message's trace), and no other original header — each could be what made it too
    large; how many were left out is said."""
    trace = {TRACEPARENT: kept[TRACEPARENT]} if TRACEPARENT in kept else {}
    return {**trace, **ours, DLQ_TRUNCATED: "true", DLQ_ORIGINAL_SIZE: str(original_size),
            DLQ_HEADERS_DROPPED: str(original_count - len(trace))}


def _readable(value: bytes | None) -> bytes:
    """A header value FastStream can decode as UTF-8 (it decodes every header, and a message
    with one binary or null header would fail before any handler saw it)."""
    if value is None:
        return b""
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("utf-8", errors="replace").encode()
    return value


def _with_readable_headers(record: Any) -> Any:
    headers = record.headers
    if all(isinstance(value, bytes) and value == _readable(value) for _, value in headers):
        return record
    readable = dataclasses.replace(
        record, headers=tuple((name, _readable(value)) for name, value in headers))
    if hasattr(record, "consumer"):
        readable.consumer = record.consumer
    return readable


async def _parse_tolerating_headers(
        record: ConsumerRecord[Any, Any] | tuple[ConsumerRecord[Any, Any], ...],
        parse: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's own parsing, of a record whose binary or null header values are made
    readable first (invalid bytes become U+FFFD) so that the message reaches the consumer,
    which dead-letters or applies it like any other."""
    if isinstance(record, tuple):
        return await parse(tuple(_with_readable_headers(item) for item in record))
    return await parse(_with_readable_headers(record))


class EventConsumer(Generic[UnitT]):
    """One consumer group on one topic, with a handler per event type it cares about."""

    def __init__(self, *, group_id: str, topic: Topic, uow: UnitOfWorkFactory[UnitT],
                 handlers: dict[type[EventData], Handler[UnitT]], check: Check | None = None,
                 max_attempts: int = 5, retry_delay: float = 0.1) -> None:
        self.group_id = group_id
        self.topic = topic
        self._uow = uow
        self._handlers = handlers
        self._check = check
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._dead_letters = None
        #: Messages handed back in a row because something outside the handler failed; the
        #: pause before the next delivery grows with it.
        self._handed_back = 0
        #: Awaited before a dead letter is sent (the runtime checks the topic exists).
        self.before_dead_letter: Callable[[], Awaitable[None]] | None = None
        #: The FastStream subscriber, once subscribed (the stall watch restarts it).
        self.subscriber: Any = None
        #: When the last delivery ended (monotonic clock), and how many are being handled.
        self._last_delivery = time.monotonic()
        self._handling = 0

    @property
    def idle_for(self) -> float | None:
        """Seconds since the last delivery ended; ``None`` while one is being handled."""
        return None if self._handling else time.monotonic() - self._last_delivery

    def kafka_client(self) -> Any:
        """The subscriber's running aiokafka consumer (``None`` before it started)."""
        return getattr(self.subscriber, "consumer", None)

    async def restart(self) -> None:
        """Stop the subscriber and start it again: a fresh client that rejoins the group and
        resumes from the committed offsets (see :mod:`ankommen.shared.messaging.stall_watch`)."""
        await self.subscriber.stop()
        await self.subscriber.start()
        self._last_delivery = time.monotonic()

    @contextlib.contextmanager
    def _delivery(self) -> Generator[None]:
        self._handling += 1
        try:
            yield
        finally:
            self._handling -= 1
            self._last_delivery = time.monotonic()

    @property
    def event_types(self) -> frozenset[type[EventData]]:
        """The event types this consumer has a handler for (others are acknowledged, unused)."""
        return frozenset(self._handlers)

    @property
    def uses_inbox(self) -> bool:
        """Whether the consumer records what it applied in the shared inbox (else its
        handler keeps that record itself: :class:`BatchEventConsumer`'s ``inbox=False``)."""
        return True

    def subscribe(self, broker: KafkaBroker, **group_options: Unpack[ConsumerGroupOptions]
                  ) -> None:
        """Attach to ``broker``: manual acks, explicit group, raw bodies, a DLQ publisher.

        ``group_options`` are the group's session and heartbeat timing (see
        ``CommonSettings.consumer_group_options``)."""
        self._publish_dead_letters_with(broker)

        async def raw_body(message: KafkaMessage) -> bytes:
            return message.body

        self.subscriber = broker.subscriber(
            *self._subscription(), group_id=self.group_id, pattern=self.topic.pattern,
            ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
            parser=_parse_tolerating_headers, decoder=raw_body, **group_options,
            title=f"{self.topic.name}:{self.group_id}",
            description=f"{self.group_id} consumes {self.topic.name}")

        @self.subscriber
        async def on_message(message: KafkaMessage) -> None:
            with self._delivery():
                await self.process(message)

    def _processed_at(self) -> datetime:
        """When an event was processed, for its inbox row: the moment, except on an
        unlinkable topic (facts), where only the day is kept — the moment a fact was processed
        would link it to its case event again (issue 15)."""
        now = datetime.now(UTC)
        if self.topic.unlinkable:
            return now.replace(hour=0, minute=0, second=0, microsecond=0)
        return now

    def _subscription(self) -> tuple[str, ...]:
        """The topic subscribed by name; none for a :class:`ProviderTopic`, whose pattern
        subscribes to every provider's topic of its kind, also one created later."""
        return () if self.topic.pattern is not None else (self.topic.name,)

    def _publish_dead_letters_with(self, broker: KafkaBroker) -> None:
        self._dead_letters = broker.publisher(
            self.topic.dead_letter, title=f"{self.topic.dead_letter}:publish",
            description=f"Messages from {self.topic.name} that {self.group_id} could not "
                        "process, with the reason in the header " + DLQ_REASON)

    def _decode(self, body: bytes, topic: str) -> DecodedEvent:
        """Raises :class:`InvalidEvent` — and nothing else — for a message that no retry can
        make valid: not an event, an event that did not come from its owner (its provenance,
        judged by ``topic``, the one it was read from, and its ``source``), or one the
        consumer's own check refuses. Provenance is checked for every event, also those this
        consumer has no handler for: a forgery is dead-lettered where it was found."""
        decoded = registry.decode(body)
        try:
            check_provenance(decoded, topic)
            if self._check is not None:
                self._check(decoded)
        except InvalidEvent:
            raise
        except Exception as error:  # a check that broke is no reason to skip a message
            raise InvalidEvent(f"check: the consumer's check failed "
                               f"({type(error).__name__})") from None
        return decoded

    async def process(self, message: KafkaMessage) -> None:
        """Apply or dead-letter one message, then acknowledge; on any failure outside the
        handler, hand it back (see the module docstring)."""
        try:
            await self._process(message)
        except asyncio.CancelledError:
            raise  # shutting down: nothing acknowledged, the message comes again
        except Exception as error:
            await self._hand_back(message, error, [message.raw_message])
            return
        self._handed_back = 0

    async def _process(self, message: KafkaMessage) -> None:
        try:
            decoded = self._decode(message.body, _single_record(message).topic)
        except InvalidEvent as invalid:
            await self._dead_letter(message.raw_message, message.headers, message.body,
                                    invalid.reason)
            await message.ack()
            return
        handler = self._handlers.get(type(decoded.data))
        if handler is None:
            # A valid event this consumer has no business with (another consumer's concern).
            await message.ack()
            return
        try:
            failure = await self._with_retries(
                lambda: self._handle_once(handler, decoded), decoded)
        except DatabaseUnavailable:
            await message.nack()
            return
        if failure is not None:
            await self._dead_letter(message.raw_message, message.headers, message.body,
                                    failure_reason(self._max_attempts, failure),
                                    summary=_failure_summary(self._max_attempts, failure))
        await message.ack()

    async def _hand_back(self, message: KafkaMessage, error: Exception,
                         records: Sequence[Any]) -> None:
        """``nack`` after a pause that grows while it keeps happening: the message (or batch)
        is delivered again, and no later acknowledgement commits past it."""
        self._handed_back += 1
        pause = min(self._retry_delay * 2 ** self._handed_back, MAX_REDELIVERY_PAUSE_S)
        first = records[0] if records else None
        # No message content and no exception text: either may hold personal data.
        logger.error("message neither applied nor dead-lettered; handed back for redelivery",
                     extra={"group": self.group_id, "topic": getattr(first, "topic", None),
                            "partition": getattr(first, "partition", None),
                            "offset": getattr(first, "offset", None),
                            "messages": len(records), "error": type(error).__name__,
                            "retry_in_s": pause})
        await asyncio.sleep(pause)
        await message.nack()

    async def _with_retries(self, work: Callable[[], Awaitable[None]],
                            decoded: DecodedEvent) -> Exception | None:
        """Run ``work`` up to ``max_attempts`` times; the last failure, or None on success.

        Raises :class:`DatabaseUnavailable` (after a pause) when the database is unreachable:
        the message is then handed back, never dead-lettered."""
        failure = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                await work()
                return None
            except Exception as error:  # classified below; nothing escapes unrecorded
                if is_transient(error):
                    logger.warning("database unavailable; message will be redelivered",
                                   extra={"event_id": decoded.envelope.id,
                                          "error": type(error).__name__})
                    await asyncio.sleep(min(self._retry_delay * 2 ** attempt, 5.0))
                    raise DatabaseUnavailable from error
                failure = error
                logger.warning("event handler failed", extra={
                    "event_id": decoded.envelope.id, "event_type": decoded.envelope.type,
                    "attempt": attempt, "error": type(error).__name__})
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
        return failure

    async def _handle_once(self, handler: Handler[UnitT], decoded: DecodedEvent) -> None:
        inbox = self._uow.tables.inbox
        async with self._uow() as uow:
            seen = await uow.session.scalar(select(exists().where(
                inbox.c.consumer == self.group_id,
                inbox.c.event_id == decoded.envelope.id)))
            if seen:
                return
            await handler(uow, decoded)
            await uow.session.execute(insert(inbox).values(
                consumer=self.group_id, event_id=decoded.envelope.id,
                processed_at=self._processed_at()))
            await uow.commit()

    async def _dead_letter(self, record: Any, original_headers: Mapping[str, str], body: bytes,
                           reason: str, *, summary: str | None = None) -> None:
        """Send one consumed record (an aiokafka ``ConsumerRecord``) to the dead-letter
        topic, its original headers kept (within bounds) and the reason added; ``summary`` is
        what the log says instead of the reason when the reason may hold personal data.

        A dead letter the broker refuses as too large is written truncated; any other failure
        raises, and the message is handed back rather than acknowledged."""
        reason = reason[:MAX_REASON_CHARS]
        # The consumed topic's own: with a pattern, each provider's topic has its own.
        dead_letter_topic = f"{record.topic}{DEAD_LETTER_SUFFIX}"
        kept, dropped = _bounded_headers(original_headers)
        ours = {
            DLQ_REASON: reason,
            DLQ_TOPIC: record.topic,
            DLQ_PARTITION: str(record.partition),
            DLQ_OFFSET: str(record.offset),
            DLQ_GROUP: self.group_id,
            DLQ_FAILED_AT: datetime.now(UTC).isoformat(),
        }
        if dropped:
            ours[DLQ_HEADERS_DROPPED] = str(dropped)
        if self.before_dead_letter is not None:
            await self.before_dead_letter()
        logger.warning("message dead-lettered", extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "reason": summary or reason})
        # The dead letter continues the original message's trace: in a batch the current
        # span belongs to the whole batch, and its context would replace the message's own.
        token = (otel_context.attach(propagate.extract(original_headers))
                 if TRACEPARENT in original_headers else None)
        try:
            dead_letters = self._dead_letters
            if dead_letters is None:
                raise RuntimeError("no dead-letter publisher: the consumer has not subscribed")
            try:
                await dead_letters.publish(body, topic=dead_letter_topic, key=record.key,
                                           headers={**kept, **ours})
            except Exception as error:
                if not _too_large(error):
                    raise
                logger.warning("dead letter too large; writing a truncated copy", extra={
                    "topic": record.topic, "partition": record.partition,
                    "offset": record.offset, "bytes": len(body)})
                await dead_letters.publish(
                    body[:TRUNCATED_BODY_BYTES], topic=dead_letter_topic,
                    key=record.key[:TRUNCATED_KEY_BYTES] if record.key else record.key,
                    headers=_truncated_copy_headers(kept, ours, len(original_headers),
                                                    len(body)))
        finally:
            if token is not None:
                otel_context.detach(token)


def _single_record(message: KafkaMessage) -> ConsumerRecord[Any, Any]:
    """The record of a message consumed alone (a batch subscriber's message holds several)."""
    record = message.raw_message
    if isinstance(record, tuple):
        raise TypeError("a batch of records reached a consumer of single messages")
    return record


@dataclass(frozen=True)
class _Consumed:
    """A record of a batch with what became of it while decoding."""

    record: Any
    headers: Mapping[str, str]
    body: bytes
    delivery: Delivery | None = None
    invalid: str | None = None


def _key_of(record: Any) -> str | None:
    key = record.key
    if key is None:
        return None
    return key.decode("utf-8", errors="replace") if isinstance(key, bytes) else str(key)


class BatchEventConsumer(EventConsumer[UnitT]):
    """A consumer group that takes messages in batches (the bulk path for busy topics).

    Per batch: decode each message (invalid ones are dead-lettered with the reason); in one
    unit of work skip the event ids already in the inbox, hand the rest to ``handler`` with
    their Kafka keys, and record their ids with one insert; acknowledge after the commit.
    The same event twice in one batch is handled once.

    ``inbox=False``: no inbox rows; the handler gets every valid event of the batch and must
    itself skip what it applied before, in the same unit of work — for a handler that writes
    a row per event under its id anyway (monitoring's facts archive), where the inbox row
    would be a second one saying the same.
    """

    def __init__(self, *, group_id: str, topic: Topic, uow: UnitOfWorkFactory[UnitT],
                 handler: BatchHandler[UnitT], event_types: tuple[type[EventData], ...],
                 check: Check | None = None, max_attempts: int = 5, retry_delay: float = 0.1,
                 max_records: int = 500, batch_timeout_ms: int = 200,
                 inbox: bool = True) -> None:
        super().__init__(group_id=group_id, topic=topic, uow=uow, handlers={}, check=check,
                         max_attempts=max_attempts, retry_delay=retry_delay)
        self._batch_handler = handler
        self._inbox = inbox
        self._event_types = event_types
        self.max_records = max_records
        self._batch_timeout_ms = batch_timeout_ms

    @property
    def event_types(self) -> frozenset[type[EventData]]:
        return frozenset(self._event_types)

    @property
    def uses_inbox(self) -> bool:
        return self._inbox

    def subscribe(self, broker: KafkaBroker, **group_options: Unpack[ConsumerGroupOptions]
                  ) -> None:
        """Attach as a FastStream batch subscriber (manual acks, explicit group)."""
        self._publish_dead_letters_with(broker)

        async def raw_bodies(message: KafkaMessage) -> list[bytes]:
            # FastStream types every message body as bytes; a batch's is its records' bodies.
            return list(cast(Sequence[bytes], message.body))

        self.subscriber = broker.subscriber(
            *self._subscription(), group_id=self.group_id, pattern=self.topic.pattern,
            batch=True, max_records=self.max_records, batch_timeout_ms=self._batch_timeout_ms,
            ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
            parser=_parse_tolerating_headers, decoder=raw_bodies, **group_options,
            title=f"{self.topic.name}:{self.group_id}",
            description=f"{self.group_id} consumes {self.topic.name} in batches of up to "
                        f"{self.max_records}")

        @self.subscriber
        async def on_batch(message: KafkaMessage) -> None:
            with self._delivery():
                await self.process_batch(message)

    def _consumed(self, records: Sequence[Any], headers: Sequence[Mapping[str, str]]
                  ) -> list[_Consumed]:
        consumed: list[_Consumed] = []
        ids: set[str] = set()
        for record, record_headers in zip(records, headers, strict=True):
            body = record.value or b""
            try:
                decoded = self._decode(body, record.topic)
            except InvalidEvent as invalid:
                consumed.append(_Consumed(record, record_headers, body, invalid=invalid.reason))
                continue
            if (not isinstance(decoded.data, self._event_types)
                    or decoded.envelope.id in ids):
                continue  # another consumer's concern, or the same event twice in the batch
            ids.add(decoded.envelope.id)
            consumed.append(_Consumed(record, record_headers, body,
                                      delivery=Delivery(decoded, _key_of(record),
                                                        record.topic)))
        return consumed

    async def process_batch(self, message: KafkaMessage) -> None:
        """Apply or dead-letter every message of the batch, then acknowledge; on any failure
        outside the handler, hand the whole batch back (see the module docstring)."""
        records = message.raw_message
        records = records if isinstance(records, tuple) else (records,)
        try:
            await self._process_batch(message, records)
        except asyncio.CancelledError:
            raise  # shutting down: nothing acknowledged, the batch comes again
        except Exception as error:
            await self._hand_back(message, error, records)
            return
        self._handed_back = 0

    async def _process_batch(self, message: KafkaMessage, records: tuple[Any, ...]) -> None:
        headers = message.batch_headers or [message.headers] * len(records)
        consumed = self._consumed(records, headers)
        valid = [(item, item.delivery) for item in consumed if item.delivery is not None]
        dead: list[tuple[_Consumed, str, str | None]] = [
            (item, item.invalid, None) for item in consumed if item.invalid is not None]
        try:
            if valid:
                await self._handle_batch([delivery for _, delivery in valid])
        except Exception as error:  # classified below; nothing escapes unrecorded
            if is_transient(error):
                logger.warning("database unavailable; batch will be redelivered",
                               extra={"messages": len(records), "error": type(error).__name__})
                await asyncio.sleep(self._retry_delay * 2)
                await message.nack()
                return
            logger.warning("batch handler failed; handling the batch message by message",
                           extra={"messages": len(valid), "error": type(error).__name__})
            try:
                dead += await self._one_by_one(valid)
            except DatabaseUnavailable:
                await message.nack()
                return
        # Dead letters only after the batch committed: a redelivered batch would send them
        # again.
        for item, reason, summary in dead:
            await self._dead_letter(item.record, item.headers, item.body, reason,
                                    summary=summary)
        await message.ack()

    async def _one_by_one(self, items: list[tuple[_Consumed, Delivery]]
                          ) -> list[tuple[_Consumed, str, str]]:
        """Each message in a unit of work of its own, with retries: a poison message fails
        alone. Returns those that kept failing, with the reason (and its log summary)."""
        failed: list[tuple[_Consumed, str, str]] = []
        for item, delivery in items:

            async def handle_one(delivery: Delivery = delivery) -> None:
                await self._handle_batch([delivery])

            failure = await self._with_retries(handle_one, delivery.event)
            if failure is not None:
                failed.append((item, failure_reason(self._max_attempts, failure),
                               _failure_summary(self._max_attempts, failure)))
        return failed

    async def _handle_batch(self, deliveries: Sequence[Delivery]) -> None:
        if not self._inbox:
            async with self._uow() as uow:
                await self._batch_handler(uow, deliveries)
                await uow.commit()
            return
        inbox = self._uow.tables.inbox
        ids = [delivery.event.envelope.id for delivery in deliveries]
        async with self._uow() as uow:
            seen = set(await uow.session.scalars(select(inbox.c.event_id).where(
                inbox.c.consumer == self.group_id, inbox.c.event_id.in_(ids))))
            new = [delivery for delivery in deliveries if delivery.event.envelope.id not in seen]
            if not new:
                return
            await self._batch_handler(uow, new)
            processed_at = self._processed_at()
            await uow.session.execute(insert(inbox), [
                {"consumer": self.group_id, "event_id": delivery.event.envelope.id,
                 "processed_at": processed_at} for delivery in new])
            await uow.commit()
