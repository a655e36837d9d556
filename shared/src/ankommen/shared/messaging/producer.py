"""The outbox relay's own Kafka producer: a plain aiokafka producer, without FastStream.

Going through a FastStream publisher cost about 0.27 ms per event (publish command, codec,
middleware stack, two spans and metrics per message), which bounded how fast the relay could
empty the outbox (docs/performance.md, B2). The relay now hands each row straight to aiokafka's
``send``, which only appends it to the partition's pending batch; the relay waits for all the
acknowledgements of a round at once.

The guarantees stay those of the broker's producer (:func:`producer_options`): ``acks="all"``,
the idempotent producer (off only on the embedded Tansu broker), and per-key order, because
aiokafka sends at most one request per partition at a time (its sender mutes a partition while
a request for it is in flight).

A relay round goes out through :meth:`RelayProducer.send_wave`: one batch per partition, built
by the relay's producer itself and closed before it is queued. The broker writes or refuses a
batch whole, so the rows of one key in it cannot be split by a failure — which aiokafka's own
batching could not promise: when it refuses one batch of a partition, the next one still goes
out (see :mod:`ankommen.shared.messaging.relay`).

Facts carry no exact time and no trace (issue 15): on an unlinkable topic
(:attr:`ankommen.shared.messaging.topics.Topic.unlinkable`, the facts topic) a message goes out
without trace context and with the envelope ``time`` — the fact's month start — as its Kafka record
timestamp, on both send paths; the relay's moment of sending would otherwise link the fact to the
case event committed in the same transaction, to the millisecond.

Tracing: the row's stored W3C context (``traceparent`` …) is the parent of a ``<topic> publish``
producer span, whose context goes out in the Kafka headers, so the consumer continues the
request's trace. Messages with the same stored context that are in flight together share one
span (with ``messaging.batch.message_count``): a bulk upload or a consumer batch writes hundreds
of rows with one context, and a span per message would cost more than sending it. The span
ends when the broker has answered for its last message; it never records the message key,
which is a pseudonym. Like FastStream's publishers, the producer adds a random
``correlation_id`` header, without which FastStream's batch consumers do not link their span
to the message's trace.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from aiokafka import AIOKafkaProducer
from opentelemetry import propagate, trace
from opentelemetry.semconv._incubating.attributes.messaging_attributes import (
    MESSAGING_BATCH_MESSAGE_COUNT,
    MESSAGING_DESTINATION_NAME,
    MESSAGING_OPERATION,
    MESSAGING_SYSTEM,
)
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider

from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.relay import Acknowledgement
from ankommen.shared.messaging.topics import ProviderTopic, Topic
from ankommen.shared.settings import BrokerKind


def producer_options(kind: BrokerKind) -> dict[str, Any]:
    """Producer settings shared by the FastStream broker and the relay's producer.

    On Apache Kafka (production): ``acks=all`` and the idempotent producer — the broker drops
    a batch that a retry sent twice and refuses one out of order. The embedded Tansu broker
    lacks the idempotent handshake (the consumers' inbox absorbs duplicates from retries there)
    and forgets its topics when it restarts, so its clients re-read metadata every few seconds
    (Kafka's default is 5 minutes) to use a re-created topic at once."""
    if kind is BrokerKind.TANSU:
        return {**_PRODUCER_OPTIONS, "enable_idempotence": False, "metadata_max_age_ms": 5_000}
    return {**_PRODUCER_OPTIONS, "enable_idempotence": True}


_PRODUCER_OPTIONS: dict[str, Any] = {
    # A publish counts only once the broker has the message.
    "acks": "all",
    "request_timeout_ms": 15_000,
    "linger_ms": 2,
}


#: The largest batch :meth:`RelayProducer.send_wave` builds for one partition: a round of a
#: bulk upload's events in a request or two, well below the broker's default limit for a batch
#: (``message.max.bytes``, 1 MiB).
WAVE_BATCH_BYTES = 256 * 1024
#: One message to publish: topic, key, value and headers.
Message = tuple[str, bytes, bytes, dict[str, str]]
#: The W3C trace context headers (and baggage) that never go out on an unlinkable topic.
_TRACE_HEADERS = ("traceparent", "tracestate", "baggage")


def envelope_time_ms(body: bytes) -> int:
    """The envelope ``time`` of a message body, in milliseconds since the epoch (the record
    timestamp of an unlinkable topic's message); :class:`LookupError` when it has none —
    a row that can never be sent, which the relay parks."""
    try:
        moment = datetime.fromisoformat(json.loads(body)["time"])
    except (ValueError, TypeError, KeyError) as error:
        raise LookupError(f"no envelope time in the message ({type(error).__name__})"
                          ) from None
    if moment.tzinfo is None:
        raise LookupError("the envelope time has no time zone")
    return int(moment.timestamp() * 1000)


class _Batch(Protocol):
    """aiokafka's ``BatchBuilder`` (untyped), as far as the relay's producer uses it."""

    def append(self, *, timestamp: int | None, key: bytes, value: bytes,
               headers: Sequence[tuple[str, bytes]]) -> object | None:
        """The record's metadata, or ``None`` when the batch is full or closed."""
        ...

    def close(self) -> None: ...


class _KafkaProducer(Protocol):
    """aiokafka's ``AIOKafkaProducer`` (untyped), as far as the relay's producer uses it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def partitions_for(self, topic: str) -> set[int]: ...

    def _partition(self, topic: str, partition: int | None, key: bytes | None,
                   value: bytes | None, serialized_key: bytes | None,
                   serialized_value: bytes | None) -> int: ...

    async def send(self, topic: str, value: bytes, *, key: bytes,
                   headers: list[tuple[str, bytes]], timestamp_ms: int | None
                   ) -> Acknowledgement: ...

    def create_batch(self) -> _Batch: ...

    async def send_batch(self, batch: _Batch, topic: str, *, partition: int
                         ) -> Acknowledgement: ...


class RelayProducer:
    """One aiokafka producer per service, started and stopped with the broker connection."""

    def __init__(self, bootstrap_servers: str | KafkaAccess, topics: tuple[Topic, ...], *,
                 client_id: str,
                 kind: BrokerKind = BrokerKind.APACHE_KAFKA,
                 tracer_provider: TracerProvider | None = None) -> None:
        self._bootstrap = bootstrap_servers
        self._options = producer_options(kind)
        self._client_id = f"{client_id}-relay"
        self._topics = frozenset(topic.name for topic in topics
                                 if not isinstance(topic, ProviderTopic))
        self._unlinkable = frozenset(topic.name for topic in topics if topic.unlinkable)
        self._per_provider = tuple(topic for topic in topics
                                   if isinstance(topic, ProviderTopic))
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        self._producer: _KafkaProducer | None = None
        self._open: dict[tuple[str | None, ...], _PublishSpan] = {}

    async def start(self) -> None:
        """Connect; a fresh client each time, so a failed start can simply be tried again."""
        await self.stop()
        producer = cast(_KafkaProducer, AIOKafkaProducer(
            **client_options(self._bootstrap), client_id=self._client_id,
            max_batch_size=WAVE_BATCH_BYTES, **self._options))
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
        # A producer stopped while the broker is away may never answer for some messages.
        for span in list(self._open.values()):
            span.abandon()
        self._open.clear()

    async def send(self, topic: str, key: bytes, body: bytes,
                   headers: dict[str, str]) -> Acknowledgement:
        """Queue one message (the relay's :data:`~ankommen.shared.messaging.relay.Send`);
        the returned future resolves when the broker acknowledged it."""
        if not self._declared(topic):
            raise LookupError(f"no publisher declared for topic {topic}")
        if self._producer is None:
            raise ConnectionError("the relay's Kafka producer is not connected")
        record_headers, timestamp_ms, span = self._record(topic, body, headers)
        span.pending += 1
        try:
            future = await self._producer.send(topic, body, key=key, headers=record_headers,
                                               timestamp_ms=timestamp_ms)
        except BaseException as error:
            span.settle(error)
            raise
        future.add_done_callback(span.settle_future)
        return future

    async def send_wave(self, messages: Sequence[Message]
                        ) -> list[Acknowledgement | Exception | None]:
        """Queue ``messages`` (the relay's :data:`~ankommen.shared.messaging.relay.SendWave`)
        as one closed batch per partition, in the order given, each written or refused whole.

        Per message: the future of its batch (resolved when the broker acknowledged it), the
        error that kept its batch from being queued, or ``None`` when it did not fit in its
        partition's batch — nor does any later message of that partition, so that a partition's
        queued messages are always the first of the wave's: the caller sends the rest later."""
        producer = self._producer
        if producer is None:
            raise ConnectionError("the relay's Kafka producer is not connected")
        answers: list[Acknowledgement | Exception | None] = [None] * len(messages)
        partitions: dict[tuple[str, int], list[int]] = {}
        known: set[str] = set()
        for index, (topic, key, _, _) in enumerate(messages):
            if not self._declared(topic):
                answers[index] = LookupError(f"no publisher declared for topic {topic}")
                continue
            if topic not in known:  # the topic's metadata, as send() waits for it
                await producer.partitions_for(topic)
                known.add(topic)
            # aiokafka's own choice (the default partitioner), as for a message sent alone.
            partition = producer._partition(  # pyright: ignore[reportPrivateUsage]  # noqa: SLF001
                topic, None, key, None, key, None)
            partitions.setdefault((topic, partition), []).append(index)
        for (topic, partition), indexes in partitions.items():
            batch = producer.create_batch()
            taken: list[tuple[int, _PublishSpan]] = []
            for index in indexes:
                _, key, body, stored = messages[index]
                try:
                    record_headers, timestamp_ms, span = self._record(topic, body, stored)
                except LookupError as error:  # a fact without its time: this row's fault;
                    answers[index] = error  # the partition's later messages wait, in order
                    break
                if batch.append(key=key, value=body, timestamp=timestamp_ms,
                                headers=record_headers) is None:
                    span.drop_if_unused()
                    break  # full: this and the partition's later messages wait for a later wave
                span.pending += 1
                taken.append((index, span))
            batch.close()  # nothing else joins it: the batch holds exactly these messages
            if not taken:
                continue
            try:
                future = await producer.send_batch(batch, topic, partition=partition)
            except Exception as error:  # this partition's messages fail; the others go on
                for index, span in taken:
                    span.settle(error)
                    answers[index] = error
                continue
            for index, span in taken:
                future.add_done_callback(span.settle_future)
                answers[index] = future
        return answers

    def _record(self, topic: str, body: bytes, stored: dict[str, str]
                ) -> tuple[list[tuple[str, bytes]], int | None, _PublishSpan]:
        """The Kafka headers, the record timestamp (``None``: the moment of sending) and the
        publish span of one message.

        On an unlinkable topic (the facts topic) nothing may link the message to the request
        that caused it: no trace context (none is stored for a fact; any would be dropped
        here), a publish span of no trace that is not carried, and the envelope ``time`` —
        the fact's month start — as the record timestamp instead of the moment of sending."""
        headers = dict(stored)
        timestamp_ms = None
        if topic in self._unlinkable:
            for name in _TRACE_HEADERS:
                headers.pop(name, None)
            timestamp_ms = envelope_time_ms(body)
            span = self._untraced_span(topic)
        else:
            span = self._publish_span(topic, headers)
            headers.update(span.carried)
        # FastStream's batch consumers link their span only to messages with a correlation id
        # (as its publishers send one): a random one, as they do, so it reveals nothing.
        headers.setdefault("correlation_id", str(uuid.uuid4()))
        return [(name, value.encode()) for name, value in headers.items()], timestamp_ms, span

    def _untraced_span(self, topic: str) -> _PublishSpan:
        """A span that is never started nor exported: it only counts the messages in flight,
        like a publish span does."""
        key = (topic, None, None, None)
        span = self._open.get(key)
        if span is None:
            span = self._open[key] = _PublishSpan(trace.INVALID_SPAN, {},
                                                  lambda: self._open.pop(key, None))
        return span

    def _declared(self, topic: str) -> bool:
        """A topic the service publishes to: one of its own, or a provider's of a kind it
        writes (any provider's rejections topic, for progress)."""
        return topic in self._topics or any(kind.provider_of(topic) is not None
                                            for kind in self._per_provider)

    def _publish_span(self, topic: str, headers: dict[str, str]) -> _PublishSpan:
        """The open publish span for this stored trace context and topic, or a new one."""
        key = (topic, headers.get("traceparent"), headers.get("tracestate"),
               headers.get("baggage"))
        span = self._open.get(key)
        if span is None:
            parent = propagate.extract(headers)
            started = self._tracer.start_span(
                f"{topic} publish", context=parent, kind=SpanKind.PRODUCER, attributes={
                    MESSAGING_SYSTEM: "kafka",
                    MESSAGING_DESTINATION_NAME: topic,
                    MESSAGING_OPERATION: "publish",
                })
            carried: dict[str, str] = {}
            propagate.inject(carried, context=trace.set_span_in_context(started, parent))
            span = self._open[key] = _PublishSpan(started, carried,
                                                  lambda: self._open.pop(key, None))
        return span


class _PublishSpan:
    """A publish span shared by the messages of one trace context and topic while they are in
    flight (a bulk upload's or a consumer batch's rows all carry the same context); it ends
    when the broker has answered for the last of them."""

    __slots__ = ("_close", "_count", "_ended", "_error", "carried", "pending", "span")

    def __init__(self, span: trace.Span, carried: dict[str, str],
                 close: Callable[[], object]) -> None:
        self.span = span
        self.carried = carried
        self.pending = 0
        self._count = 0
        self._error: BaseException | None = None
        self._close = close
        self._ended = False

    def settle_future(self, future: Acknowledgement) -> None:
        self.settle(asyncio.CancelledError() if future.cancelled() else future.exception())

    def settle(self, error: BaseException | None) -> None:
        if self._ended:
            return
        self.pending -= 1
        self._count += 1
        self._error = self._error or error
        if not self.pending:
            self._end()

    def drop_if_unused(self) -> None:
        """End a span opened for a message that was not sent after all, if no other message
        uses it (an empty publish span would say something was sent)."""
        if not self.pending and not self._count and not self._ended:
            self._ended = True
            self._close()

    def abandon(self) -> None:
        """End the span of messages that will not be answered for (the producer stopped)."""
        if not self._ended:
            self._error = self._error or ConnectionError("producer stopped")
            self._end()

    def _end(self) -> None:
        self._ended = True
        self._close()
        if self._count > 1:
            self.span.set_attribute(MESSAGING_BATCH_MESSAGE_COUNT, self._count)
        if self._error is not None:
            # The type only: an error's message is not checked for personal data.
            name = type(self._error).__name__
            self.span.set_attribute("error.type", name)
            self.span.set_status(Status(StatusCode.ERROR, name))
        self.span.end()
