"""The FastStream Kafka broker every service uses, configured for ankommen's guarantees.

- The producer settings of :func:`~ankommen.shared.messaging.producer.producer_options`
  (``acks="all"``, the idempotent producer), which the outbox relay's own producer shares.
- No automatic topic creation: topics come from :mod:`ankommen.shared.messaging.topics`, with their
  partition counts, never from a typo in a publisher.
- OpenTelemetry middleware: W3C trace context travels in the Kafka headers; spans leave out
  the message key, which is a pseudonym.

The outbox relay does not publish through FastStream (see
:mod:`ankommen.shared.messaging.producer`); :class:`Publishers` still declares the published
topics on the broker so that its AsyncAPI document describes them.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker

# FastStream annotates the factory's argument with aiokafka's generic ConsumerRecord, without
# type arguments: the import itself is partially unknown; the factory returns typed providers.
from faststream.kafka.opentelemetry.provider import (
    telemetry_attributes_provider_factory,  # pyright: ignore[reportUnknownVariableType]
)
from faststream.kafka.publisher.usecase import LogicPublisher
from faststream.message import StreamMessage
from faststream.opentelemetry import TelemetrySettingsProvider
from faststream.opentelemetry.middleware import TelemetryMiddleware
from faststream.response import PublishCommand
from opentelemetry.semconv._incubating.attributes.messaging_attributes import (
    MESSAGING_KAFKA_MESSAGE_KEY,
)
from opentelemetry.trace import TracerProvider

from ankommen.shared.messaging.kafka_access import KafkaAccess, kafka_access
from ankommen.shared.messaging.producer import producer_options
from ankommen.shared.messaging.topics import Topic
from ankommen.shared.settings import BrokerKind

logger = logging.getLogger(__name__)


class _WithoutMessageKeys:
    """FastStream's Kafka span attributes minus the message key: our keys are pseudonyms,
    and traces need no pseudonym (brief section 6)."""

    def __init__(self, provider: TelemetrySettingsProvider[Any, Any]) -> None:
        self._provider = provider
        self.messaging_system = provider.messaging_system

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def get_consume_attrs_from_message(self, msg: StreamMessage[Any]) -> dict[str, Any]:
        attributes = self._provider.get_consume_attrs_from_message(msg)
        attributes.pop(MESSAGING_KAFKA_MESSAGE_KEY, None)
        return attributes

    def get_consume_destination_name(self, msg: StreamMessage[Any]) -> str:
        return self._provider.get_consume_destination_name(msg)

    def get_publish_attrs_from_cmd(self, cmd: PublishCommand) -> dict[str, Any]:
        attributes = self._provider.get_publish_attrs_from_cmd(cmd)
        attributes.pop(MESSAGING_KAFKA_MESSAGE_KEY, None)
        return attributes

    def get_publish_destination_name(self, cmd: PublishCommand) -> str:
        return self._provider.get_publish_destination_name(cmd)


def _attributes_without_keys(msg: Any) -> _WithoutMessageKeys:
    """``msg``: a Kafka record or a batch of them, as FastStream hands it over."""
    return _WithoutMessageKeys(telemetry_attributes_provider_factory(msg))


class TelemetryWithoutKeys(TelemetryMiddleware):
    """Kafka tracing (W3C context in headers) whose spans never record the message key."""

    def __init__(self, *, tracer_provider: TracerProvider | None = None) -> None:
        super().__init__(settings_provider_factory=_attributes_without_keys,
                         tracer_provider=tracer_provider, include_messages_counters=True)


def bootstrap_list(bootstrap_servers: str) -> list[str]:
    """``host:port,host:port`` as a list of addresses. FastStream takes a string as one
    address, so a cluster's comma-separated bootstrap (every production setting) would reach
    aiokafka as a single host name that resolves nowhere, and the service would never connect."""
    return [server.strip() for server in bootstrap_servers.split(",") if server.strip()]


def create_broker(bootstrap_servers: str | KafkaAccess, *, client_id: str,
                  kind: BrokerKind = BrokerKind.APACHE_KAFKA,
                  tracer_provider: TracerProvider | None = None,
                  metadata_max_age_ms: int | None = None) -> KafkaBroker:
    """``metadata_max_age_ms``: how soon the broker's consumers see a topic created after
    they started (a pattern subscription's new topic); never longer than the broker kind's
    own setting."""
    access = kafka_access(bootstrap_servers)
    options = producer_options(kind)
    if metadata_max_age_ms is not None:
        options["metadata_max_age_ms"] = min(
            metadata_max_age_ms, options.get("metadata_max_age_ms", metadata_max_age_ms))
    return KafkaBroker(
        bootstrap_list(access.bootstrap_servers),
        security=access.faststream_security(),
        client_id=client_id,
        allow_auto_create_topics=False,
        **options,
        middlewares=[TelemetryWithoutKeys(tracer_provider=tracer_provider)],
        logger=logging.getLogger(f"ankommen.{client_id}.broker"),
        graceful_timeout=10.0,
    )


class Publishers:
    """Publisher objects per topic, declared up front so AsyncAPI documents them (the relay
    sends with its own producer, :class:`~ankommen.shared.messaging.producer.RelayProducer`)."""

    def __init__(self, broker: KafkaBroker, topics: tuple[Topic, ...]) -> None:
        self._by_topic: dict[str, LogicPublisher] = {
            topic.name: broker.publisher(topic.name, title=f"{topic.name}:publish",
                                         description=topic.description)
            for topic in topics
        }
