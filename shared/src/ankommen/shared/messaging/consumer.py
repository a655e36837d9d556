"""Consuming events exactly-once in effect: inbox, bounded retries, dead letters, late acks.

Every consumed message goes through :meth:`EventConsumer.process`:

1. decode and validate it against the event registry — a message that is not a valid event
   (not JSON, unknown type, invalid payload, refused by the consumer's own check) goes
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

:class:`BatchEventConsumer` does the same for many messages at once (a FastStream batch
subscriber): one unit of work for the whole batch — the handler sees every new event of the
batch together with its Kafka key, and all inbox ids go in with one insert. Invalid messages
are dead-lettered one by one (only after the batch committed, so a database outage cannot
dead-letter them twice); a database outage hands the whole batch back; a handler failure on
the batch is retried message by message, so one poison message is dead-lettered while the
others are kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import exists, insert, select

from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ankommen.shared.events.envelope import EventData, InvalidEvent
from ankommen.shared.events.registry import DecodedEvent, registry
from ankommen.shared.messaging.failures import is_transient
from ankommen.shared.topics import Topic

logger = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, DecodedEvent], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """One consumed event together with the Kafka key it arrived under (``None``: no key)."""

    event: DecodedEvent
    key: str | None


#: Handles the new (not yet seen) events of one batch, in the order consumed.
BatchHandler = Callable[[UnitOfWork, Sequence[Delivery]], Awaitable[None]]
#: An extra acceptance rule of a consumer; raises InvalidEvent to dead-letter the message.
Check = Callable[[DecodedEvent], None]

DLQ_REASON = "ankommen-dlq-reason"
DLQ_TOPIC = "ankommen-dlq-original-topic"
DLQ_PARTITION = "ankommen-dlq-original-partition"
DLQ_OFFSET = "ankommen-dlq-original-offset"
DLQ_GROUP = "ankommen-dlq-consumer-group"
DLQ_FAILED_AT = "ankommen-dlq-failed-at"
#: The W3C trace-context header a traced message carries.
TRACEPARENT = "traceparent"


def failure_reason(attempts: int, failure: BaseException) -> str:
    return f"handler failed {attempts} times: {type(failure).__name__}: {failure}"[:1000]


class DatabaseUnavailable(Exception):
    """The database could not be reached: hand the message back, it is not at fault."""


class EventConsumer:
    """One consumer group on one topic, with a handler per event type it cares about."""

    def __init__(self, *, group_id: str, topic: Topic, uow: UnitOfWorkFactory,
                 handlers: dict[type[EventData], Handler], check: Check | None = None,
                 max_attempts: int = 5, retry_delay: float = 0.1) -> None:
        self.group_id = group_id
        self.topic = topic
        self._uow = uow
        self._handlers = handlers
        self._check = check
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._dead_letters = None
        #: Awaited before a dead letter is sent (the runtime checks the topic exists).
        self.before_dead_letter: Callable[[], Awaitable[None]] | None = None

    @property
    def event_types(self) -> frozenset[type[EventData]]:
        """The event types this consumer has a handler for (others are acknowledged, unused)."""
        return frozenset(self._handlers)

    def subscribe(self, broker: KafkaBroker, **group_options: int) -> None:
        """Attach to ``broker``: manual acks, explicit group, raw bodies, a DLQ publisher.

        ``group_options`` are the group's session and heartbeat timing (see
        ``CommonSettings.consumer_group_options``)."""
        self._publish_dead_letters_with(broker)

        async def raw_body(message: KafkaMessage) -> bytes:
            return message.body

        @broker.subscriber(self.topic.name, group_id=self.group_id,
                           ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
                           decoder=raw_body, **group_options,
                           title=f"{self.topic.name}:{self.group_id}",
                           description=f"{self.group_id} consumes {self.topic.name}")
        async def on_message(message: KafkaMessage) -> None:
            await self.process(message)

    def _publish_dead_letters_with(self, broker: KafkaBroker) -> None:
        self._dead_letters = broker.publisher(
            self.topic.dead_letter, title=f"{self.topic.dead_letter}:publish",
            description=f"Messages from {self.topic.name} that {self.group_id} could not "
                        "process, with the reason in the header " + DLQ_REASON)

    def _decode(self, body: bytes) -> DecodedEvent:
        """Raises :class:`InvalidEvent` for a message that no retry can make valid."""
        decoded = registry.decode(body)
        if self._check is not None:
            self._check(decoded)
        return decoded

    async def process(self, message: KafkaMessage) -> None:
        try:
            decoded = self._decode(message.body)
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
                                    failure_reason(self._max_attempts, failure))
        await message.ack()

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

    async def _handle_once(self, handler: Handler, decoded: DecodedEvent) -> None:
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
                processed_at=datetime.now(UTC)))

    async def _dead_letter(self, record: Any, original_headers: Mapping[str, str], body: bytes,
                           reason: str) -> None:
        """Send one consumed record (an aiokafka ``ConsumerRecord``) to the dead-letter
        topic, its original headers kept and the reason added."""
        headers = dict(original_headers)
        headers.update({
            DLQ_REASON: reason,
            DLQ_TOPIC: record.topic,
            DLQ_PARTITION: str(record.partition),
            DLQ_OFFSET: str(record.offset),
            DLQ_GROUP: self.group_id,
            DLQ_FAILED_AT: datetime.now(UTC).isoformat(),
        })
        if self.before_dead_letter is not None:
            await self.before_dead_letter()
        logger.warning("message dead-lettered", extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "reason": reason})
        # The dead letter continues the original message's trace: in a batch the current
        # span belongs to the whole batch, and its context would replace the message's own.
        token = (otel_context.attach(propagate.extract(original_headers))
                 if TRACEPARENT in original_headers else None)
        try:
            await self._dead_letters.publish(body, key=record.key, headers=headers)
        finally:
            if token is not None:
                otel_context.detach(token)


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


class BatchEventConsumer(EventConsumer):
    """A consumer group that takes messages in batches (the bulk path for busy topics).

    Per batch: decode each message (invalid ones are dead-lettered with the reason); in one
    unit of work skip the event ids already in the inbox, hand the rest to ``handler`` with
    their Kafka keys, and record their ids with one insert; acknowledge after the commit.
    The same event twice in one batch is handled once.
    """

    def __init__(self, *, group_id: str, topic: Topic, uow: UnitOfWorkFactory,
                 handler: BatchHandler, event_types: tuple[type[EventData], ...],
                 check: Check | None = None, max_attempts: int = 5, retry_delay: float = 0.1,
                 max_records: int = 500, batch_timeout_ms: int = 200) -> None:
        super().__init__(group_id=group_id, topic=topic, uow=uow, handlers={}, check=check,
                         max_attempts=max_attempts, retry_delay=retry_delay)
        self._batch_handler = handler
        self._event_types = event_types
        self.max_records = max_records
        self._batch_timeout_ms = batch_timeout_ms

    @property
    def event_types(self) -> frozenset[type[EventData]]:
        return frozenset(self._event_types)

    def subscribe(self, broker: KafkaBroker, **group_options: int) -> None:
        """Attach as a FastStream batch subscriber (manual acks, explicit group)."""
        self._publish_dead_letters_with(broker)

        async def raw_bodies(message: KafkaMessage) -> list[bytes]:
            return list(message.body)

        @broker.subscriber(self.topic.name, group_id=self.group_id, batch=True,
                           max_records=self.max_records,
                           batch_timeout_ms=self._batch_timeout_ms,
                           ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
                           decoder=raw_bodies, **group_options,
                           title=f"{self.topic.name}:{self.group_id}",
                           description=f"{self.group_id} consumes {self.topic.name} in "
                                       f"batches of up to {self.max_records}")
        async def on_batch(message: KafkaMessage) -> None:
            await self.process_batch(message)

    def _consumed(self, records: Sequence[Any], headers: Sequence[Mapping[str, str]]
                  ) -> list[_Consumed]:
        consumed, ids = [], set()
        for record, record_headers in zip(records, headers, strict=True):
            body = record.value or b""
            try:
                decoded = self._decode(body)
            except InvalidEvent as invalid:
                consumed.append(_Consumed(record, record_headers, body, invalid=invalid.reason))
                continue
            if (not isinstance(decoded.data, self._event_types)
                    or decoded.envelope.id in ids):
                continue  # another consumer's concern, or the same event twice in the batch
            ids.add(decoded.envelope.id)
            consumed.append(_Consumed(record, record_headers, body,
                                      delivery=Delivery(decoded, _key_of(record))))
        return consumed

    async def process_batch(self, message: KafkaMessage) -> None:
        records = message.raw_message
        records = records if isinstance(records, tuple) else (records,)
        headers = message.batch_headers or [message.headers] * len(records)
        consumed = self._consumed(records, headers)
        valid = [item for item in consumed if item.delivery is not None]
        dead: list[tuple[_Consumed, str]] = [(item, item.invalid) for item in consumed
                                             if item.invalid is not None]
        try:
            if valid:
                await self._handle_batch([item.delivery for item in valid])
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
        for item, reason in dead:
            await self._dead_letter(item.record, item.headers, item.body, reason)
        await message.ack()

    async def _one_by_one(self, items: list[_Consumed]) -> list[tuple[_Consumed, str]]:
        """Each message in a unit of work of its own, with retries: a poison message fails
        alone. Returns those that kept failing, with the reason."""
        failed = []
        for item in items:
            delivery = item.delivery

            async def handle_one(delivery: Delivery = delivery) -> None:
                await self._handle_batch([delivery])

            failure = await self._with_retries(handle_one, delivery.event)
            if failure is not None:
                failed.append((item, failure_reason(self._max_attempts, failure)))
        return failed

    async def _handle_batch(self, deliveries: Sequence[Delivery]) -> None:
        inbox = self._uow.tables.inbox
        ids = [delivery.event.envelope.id for delivery in deliveries]
        async with self._uow() as uow:
            seen = set(await uow.session.scalars(select(inbox.c.event_id).where(
                inbox.c.consumer == self.group_id, inbox.c.event_id.in_(ids))))
            new = [delivery for delivery in deliveries if delivery.event.envelope.id not in seen]
            if not new:
                return
            await self._batch_handler(uow, new)
            processed_at = datetime.now(UTC)
            await uow.session.execute(insert(inbox), [
                {"consumer": self.group_id, "event_id": delivery.event.envelope.id,
                 "processed_at": processed_at} for delivery in new])
