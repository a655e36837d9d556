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
never dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from sqlalchemy import exists, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ankommen.shared.events.envelope import EventData, InvalidEvent
from ankommen.shared.events.registry import DecodedEvent, registry
from ankommen.shared.topics import Topic

logger = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, DecodedEvent], Awaitable[None]]
#: An extra acceptance rule of a consumer; raises InvalidEvent to dead-letter the message.
Check = Callable[[DecodedEvent], None]

DLQ_REASON = "ankommen-dlq-reason"
DLQ_TOPIC = "ankommen-dlq-original-topic"
DLQ_PARTITION = "ankommen-dlq-original-partition"
DLQ_OFFSET = "ankommen-dlq-original-offset"
DLQ_GROUP = "ankommen-dlq-consumer-group"
DLQ_FAILED_AT = "ankommen-dlq-failed-at"


def is_transient(error: BaseException) -> bool:
    """Is this the database being unreachable or busy, rather than the message being bad?"""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, ConnectionError | TimeoutError | OSError)


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

    def subscribe(self, broker: KafkaBroker) -> None:
        """Attach to ``broker``: manual acks, explicit group, raw bodies, a DLQ publisher."""
        self._dead_letters = broker.publisher(
            self.topic.dead_letter, title=f"{self.topic.dead_letter}:publish",
            description=f"Messages from {self.topic.name} that {self.group_id} could not "
                        "process, with the reason in the header " + DLQ_REASON)

        async def raw_body(message: KafkaMessage) -> bytes:
            return message.body

        @broker.subscriber(self.topic.name, group_id=self.group_id,
                           ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
                           decoder=raw_body, title=f"{self.topic.name}:{self.group_id}",
                           description=f"{self.group_id} consumes {self.topic.name}")
        async def on_message(message: KafkaMessage) -> None:
            await self.process(message)

    async def process(self, message: KafkaMessage) -> None:
        try:
            decoded = registry.decode(message.body)
            if self._check is not None:
                self._check(decoded)
        except InvalidEvent as invalid:
            await self._dead_letter(message, invalid.reason)
            await message.ack()
            return
        handler = self._handlers.get(type(decoded.data))
        if handler is None:
            # A valid event this consumer has no business with (another consumer's concern).
            await message.ack()
            return
        failure = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                await self._handle_once(handler, decoded)
                failure = None
                break
            except Exception as error:  # classified below; nothing escapes unrecorded
                if is_transient(error):
                    logger.warning("database unavailable; message will be redelivered",
                                   extra={"event_id": decoded.envelope.id,
                                          "error": type(error).__name__})
                    await asyncio.sleep(min(self._retry_delay * 2 ** attempt, 5.0))
                    await message.nack()
                    return
                failure = error
                logger.warning("event handler failed", extra={
                    "event_id": decoded.envelope.id, "event_type": decoded.envelope.type,
                    "attempt": attempt, "error": type(error).__name__})
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
        if failure is not None:
            await self._dead_letter(message, f"handler failed {self._max_attempts} times: "
                                             f"{type(failure).__name__}: {failure}"[:1000])
        await message.ack()

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

    async def _dead_letter(self, message: KafkaMessage, reason: str) -> None:
        record = message.raw_message
        headers = dict(message.headers)
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
        await self._dead_letters.publish(message.body, key=record.key, headers=headers)
