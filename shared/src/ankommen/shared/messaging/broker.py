"""The FastStream Kafka broker every service uses, configured for ankommen's guarantees.

- No idempotent producer: the embedded Tansu broker lacks that handshake; duplicates from
  producer retries are absorbed by the consumers' inbox instead.
- ``acks="all"``: a publish counts only once the broker has the message.
- No automatic topic creation: topics come from :mod:`ankommen.shared.topics`, with their
  partition counts, never from a typo in a publisher.
- OpenTelemetry middleware: W3C trace context travels in the Kafka headers; spans leave out
  the message key, which is a pseudonym.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry.provider import telemetry_attributes_provider_factory
from faststream.kafka.publisher.usecase import LogicPublisher
from faststream.opentelemetry.middleware import TelemetryMiddleware
from opentelemetry.semconv.trace import SpanAttributes
from opentelemetry.trace import TracerProvider

from ankommen.shared.messaging.relay import Send
from ankommen.shared.topics import Topic

logger = logging.getLogger(__name__)


class _WithoutMessageKeys:
    """FastStream's Kafka span attributes minus the message key: our keys are pseudonyms,
    and traces need no pseudonym (brief section 6)."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider
        self.messaging_system = provider.messaging_system

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def get_consume_attrs_from_message(self, msg: Any) -> dict[str, Any]:
        attributes = self._provider.get_consume_attrs_from_message(msg)
        attributes.pop(SpanAttributes.MESSAGING_KAFKA_MESSAGE_KEY, None)
        return attributes

    def get_publish_attrs_from_cmd(self, cmd: Any) -> dict[str, Any]:
        attributes = self._provider.get_publish_attrs_from_cmd(cmd)
        attributes.pop(SpanAttributes.MESSAGING_KAFKA_MESSAGE_KEY, None)
        return attributes


def _attributes_without_keys(msg: Any) -> _WithoutMessageKeys | None:
    provider = telemetry_attributes_provider_factory(msg)
    return None if provider is None else _WithoutMessageKeys(provider)


class TelemetryWithoutKeys(TelemetryMiddleware):
    """Kafka tracing (W3C context in headers) whose spans never record the message key."""

    def __init__(self, *, tracer_provider: TracerProvider | None = None) -> None:
        super().__init__(settings_provider_factory=_attributes_without_keys,
                         tracer_provider=tracer_provider, include_messages_counters=True)


def create_broker(bootstrap_servers: str, *, client_id: str,
                  tracer_provider: TracerProvider | None = None) -> KafkaBroker:
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        enable_idempotence=False,
        acks="all",
        allow_auto_create_topics=False,
        request_timeout_ms=15_000,
        # Re-read topic metadata every few seconds (Kafka's default is 5 minutes), so that a
        # topic re-created after a restart of the in-memory broker is consumed again at once.
        metadata_max_age_ms=5_000,
        linger_ms=2,
        middlewares=[TelemetryWithoutKeys(tracer_provider=tracer_provider)],
        logger=logging.getLogger(f"ankommen.{client_id}.broker"),
        graceful_timeout=10.0,
    )


class Publishers:
    """Publisher objects per topic, declared up front so AsyncAPI documents them."""

    def __init__(self, broker: KafkaBroker, topics: tuple[Topic, ...]) -> None:
        self._by_topic: dict[str, LogicPublisher] = {
            topic.name: broker.publisher(topic.name, title=f"{topic.name}:publish",
                                         description=topic.description)
            for topic in topics
        }

    def send(self) -> Send:
        """The outbox relay's send function over these publishers."""

        async def send(topic: str, key: bytes, body: bytes,
                       headers: dict[str, str]) -> asyncio.Future:
            try:
                publisher = self._by_topic[topic]
            except KeyError:
                raise LookupError(f"no publisher declared for topic {topic}") from None
            return await publisher.publish(body, key=key, headers=headers, no_confirm=True)

        return send
