"""The FastStream Kafka broker every service uses, configured for ankommen's guarantees.

- No idempotent producer: the embedded Tansu broker lacks that handshake; duplicates from
  producer retries are absorbed by the consumers' inbox instead.
- ``acks="all"``: a publish counts only once the broker has the message.
- No automatic topic creation: topics come from :mod:`ankommen.shared.topics`, with their
  partition counts, never from a typo in a publisher.
- OpenTelemetry middleware: W3C trace context travels in the Kafka headers.
"""

from __future__ import annotations

import asyncio
import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.publisher.usecase import LogicPublisher
from opentelemetry.trace import TracerProvider

from ankommen.shared.messaging.relay import Send
from ankommen.shared.topics import Topic

logger = logging.getLogger(__name__)


def create_broker(bootstrap_servers: str, *, client_id: str,
                  tracer_provider: TracerProvider | None = None) -> KafkaBroker:
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        enable_idempotence=False,
        acks="all",
        allow_auto_create_topics=False,
        request_timeout_ms=15_000,
        linger_ms=2,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=tracer_provider)],
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
