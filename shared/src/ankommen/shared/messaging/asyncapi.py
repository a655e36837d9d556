"""The AsyncAPI 3.0 document of one service: every topic it publishes and consumes, generated
from the code — the event registry (which type travels on which topic, its schema, what its
key identifies, whether it carries trace context), the topic plan (names, partitions,
retention, dead-letter topics, the providers' topic templates) and the service's own wiring
(what it publishes, its consumers with their group ids).

Why our own generator and not FastStream's (``faststream.specification.AsyncAPI``, which
the services' publishers and subscribers were declared for): FastStream documents what it
sees on the broker, and it sees raw bytes. Its document (FastStream 0.7) has no Kafka key,
no headers, one payload-less message per publisher instead of a message per event type, our
test broker's address as the only server, no security scheme, no consumer group, and the
providers' reports topic as the pattern progress subscribes with (a regular expression as
channel address, where AsyncAPI wants ``ankommen.provider.{provider_id}.reports`` with a
parameter). Post-processing would replace every part of it; building the document from the
registry and the topic plan directly leaves one source of truth and nothing to patch.

The event schemas are the very ones of ``docs/events/``
(:func:`ankommen.shared.events.schemas.event_schema`), embedded under
``components.schemas.<event type>`` so that one document is all a provider's developer needs;
only their internal references (``#/$defs/…``) are re-rooted to where the schema now sits.
A test checks that each embedded schema is the file's, reference for reference.

The server is production's, with its address as a variable (an operator's, never ours): there
every client signs in with SASL/SCRAM-SHA-512 over TLS (``SASL_SSL``: the production profile
requires a Kafka user name and CA file, :mod:`ankommen.shared.messaging.kafka_access`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

from ankommen.shared.events.contracts.progress import PROVIDER_SOURCE_PREFIX
from ankommen.shared.events.envelope import CONTENT_TYPE, EventData
from ankommen.shared.events.provenance import provenance_of
from ankommen.shared.events.registry import EventRegistry
from ankommen.shared.events.schemas import event_schema
from ankommen.shared.messaging.consumer import (
    DLQ_FAILED_AT,
    DLQ_GROUP,
    DLQ_HEADERS_DROPPED,
    DLQ_OFFSET,
    DLQ_ORIGINAL_SIZE,
    DLQ_PARTITION,
    DLQ_REASON,
    DLQ_TOPIC,
    DLQ_TRUNCATED,
)
from ankommen.shared.messaging.kafka_access import SASL_MECHANISM
from ankommen.shared.messaging.kafka_acls import provider_principal
from ankommen.shared.messaging.topics import (
    DEAD_LETTER_PARTITIONS,
    DEAD_LETTERS,
    PROVIDER_ID,
    PROVIDER_ID_PLACEHOLDER,
    Topic,
    topic_configs,
)
from ankommen.shared.settings import CommonSettings

ASYNCAPI_VERSION = "3.0.0"
#: The Kafka bindings' version (channel, operation, message) the document uses.
KAFKA_BINDING = "0.5.0"
SERVER = "production"
SECURITY_SCHEME = "kafka-scram"
#: AsyncAPI's name of the SASL mechanism every principal signs in with.
_SCHEME_TYPES = {"SCRAM-SHA-512": "scramSha512", "SCRAM-SHA-256": "scramSha256"}
#: The message of every dead-letter topic.
DEAD_LETTER_MESSAGE = "dead_letter"
#: The id of a provider as a channel parameter (the topic templates' placeholder).
PROVIDER_PARAMETER = PROVIDER_ID_PLACEHOLDER.strip("{}")
#: What a message key identifies, by the outbox ``aggregate_type`` of its event.
KEY_MEANINGS = {
    "case": "The case pseudonym (never a name): all events of one case in order, on one "
            "partition",
    "course": "The course id: all events of one course in order",
    "referral": "The referral code the provider was given with the placement",
    "fact": "A random record key: a fact names no case and no person",
}


class Consumption(Protocol):
    """A consumer as the document needs it (:class:`~ankommen.shared.messaging.consumer.
    EventConsumer` is one): its group, its topic and the event types it handles."""

    @property
    def group_id(self) -> str: ...

    @property
    def topic(self) -> Topic: ...

    @property
    def event_types(self) -> frozenset[type[EventData]]: ...


def asyncapi_document(service: str, *, title: str, description: str, version: str,
                      client_id: str, publishes: Sequence[Topic],
                      consumes: Sequence[Consumption], registry: EventRegistry
                      ) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of ``service``: send operations for the topics it
    ``publishes`` (and the dead-letter topics of those it consumes), a receive operation per
    consumer, with its group id and client id as Kafka bindings."""
    builder = _Builder(service, client_id, registry)
    for topic in publishes:
        builder.send(topic, [model for model in builder.carried_by(topic)
                             if _publisher(model) == service], "publishes")
    for consumer in consumes:
        builder.receive(consumer)
    for consumer in consumes:
        builder.dead_letters(consumer)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": f"{title}: events", "version": version,
                 "description": f"{description}\n\nWhat {service} publishes and consumes on "
                                "Kafka. Generated from the event registry and the topic plan "
                                "(`make schemas` writes docs/asyncapi/); every message is a "
                                "CloudEvent in structured content mode."},
        "defaultContentType": CONTENT_TYPE,
        "servers": {SERVER: _server(service)},
        "channels": dict(sorted(builder.channels.items())),
        "operations": dict(sorted(builder.operations.items())),
        "components": {
            "messages": dict(sorted(builder.messages.items())),
            "schemas": dict(sorted(builder.schemas.items())),
            "securitySchemes": {SECURITY_SCHEME: _security_scheme()},
        },
    }


def render(document: dict[str, Any]) -> str:
    """The document as the file in docs/asyncapi/ and the ``/asyncapi.json`` answer hold it."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def channel_id(address: str) -> str:
    """A channel's id: its address, the provider placeholder without braces (ids allow only
    letters, digits, ``.``, ``-`` and ``_``)."""
    return address.replace(PROVIDER_ID_PLACEHOLDER, PROVIDER_PARAMETER)


def rerooted(schema: object, root: str) -> object:
    """``schema`` (parsed JSON) with its local references (``#/…``) made to point below
    ``root``."""
    if isinstance(schema, dict):
        return {key: (f"{root}{value[1:]}" if key == "$ref" and isinstance(value, str)
                      and value.startswith("#/") else rerooted(value, root))
                for key, value in cast(dict[str, object], schema).items()}
    if isinstance(schema, list):
        return [rerooted(item, root) for item in cast(list[object], schema)]
    return schema


def schema_pointer(event_type: str) -> str:
    """Where the schema of ``event_type`` sits in the document."""
    return f"#/components/schemas/{event_type}"


class _Builder:
    """Collects the channels, operations, messages and schemas of one document."""

    def __init__(self, service: str, client_id: str, registry: EventRegistry) -> None:
        self.service = service
        self.client_id = client_id
        self.registry = registry
        self.channels: dict[str, dict[str, Any]] = {}
        self.operations: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.schemas: dict[str, object] = {}

    def carried_by(self, topic: Topic) -> list[type[EventData]]:
        """Every event type the registry puts on ``topic`` (a template for a provider's)."""
        return [model for model in self.registry.models.values() if model.topic == topic.name]

    def send(self, topic: Topic, models: Iterable[type[EventData]], verb: str) -> None:
        channel = self._channel(topic, self.carried_by(topic))
        self.operations[f"send.{channel}"] = {
            "action": "send",
            "summary": f"{self.service} {verb} {topic.name}",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [self._message_ref(channel, model.event_type) for model in models],
            "bindings": {"kafka": {"clientId": _one_of(self.client_id),
                                   "bindingVersion": KAFKA_BINDING}},
        }

    def receive(self, consumer: Consumption) -> None:
        channel = self._channel(consumer.topic, self.carried_by(consumer.topic))
        handled = sorted(model.event_type for model in consumer.event_types)
        self.operations[f"receive.{consumer.group_id}"] = {
            "action": "receive",
            "summary": f"{consumer.group_id} consumes {consumer.topic.name}",
            "description": "Acknowledged only after the handler's transaction committed; an "
                           "event of another type is acknowledged unused; an invalid one, or "
                           "one that fails its attempts, goes to the dead-letter topic with "
                           "the reason.",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [self._message_ref(channel, event_type) for event_type in handled],
            "bindings": {"kafka": {"groupId": _one_of(consumer.group_id),
                                   "clientId": _one_of(self.client_id),
                                   "bindingVersion": KAFKA_BINDING}},
        }

    def dead_letters(self, consumer: Consumption) -> None:
        topic = consumer.topic
        dead = Topic(topic.dead_letter, DEAD_LETTER_PARTITIONS,
                     f"Messages from {topic.name} that a consumer could not process, as they "
                     f"were, with the reason in the header {DLQ_REASON}.",
                     retention=DEAD_LETTERS)
        channel = self._channel(dead, ())
        operation = f"send.{channel}"
        if operation in self.operations:  # two consumers of one topic share its dead letters
            return
        self.operations[operation] = {
            "action": "send",
            "summary": f"{self.service} dead-letters what it could not process from "
                       f"{topic.name}",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [self._message_ref(channel, DEAD_LETTER_MESSAGE)],
            "bindings": {"kafka": {"clientId": _one_of(self.client_id),
                                   "bindingVersion": KAFKA_BINDING}},
        }

    def _channel(self, topic: Topic, models: Iterable[type[EventData]]) -> str:
        """The channel of ``topic`` (added once), with a message per event type it carries
        (``models``; none: a dead-letter topic)."""
        channel = channel_id(topic.name)
        if channel in self.channels:
            return channel
        messages = {model.event_type: self._event_message(model, topic) for model in models}
        if not messages:
            messages = {DEAD_LETTER_MESSAGE: self._dead_letter_message()}
        self.channels[channel] = {
            "address": topic.name,
            "title": topic.name,
            "description": topic.description + f" Kept: {_retention(topic)}.",
            **({"parameters": {PROVIDER_PARAMETER: _provider_parameter()}}
               if PROVIDER_ID_PLACEHOLDER in topic.name else {}),
            "messages": {name: {"$ref": ref} for name, ref in sorted(messages.items())},
            "bindings": {"kafka": _channel_binding(topic)},
        }
        return channel

    @staticmethod
    def _message_ref(channel: str, name: str) -> dict[str, str]:
        return {"$ref": f"#/channels/{channel}/messages/{name}"}

    def _event_message(self, model: type[EventData], topic: Topic) -> str:
        """The message of one event type (added once); returns its reference."""
        event_type = model.event_type
        if event_type not in self.messages:
            self.schemas[event_type] = rerooted(event_schema(event_type, self.registry),
                                                schema_pointer(event_type))
            self.messages[event_type] = {
                "name": event_type,
                "title": model.__name__,
                "summary": " ".join(inspect.cleandoc(model.__doc__ or "").split("\n\n")[0]
                                    .split()),
                "description": f"Published by {_publisher(model) or 'a provider system'} "
                               f"with the envelope `source` `{_source(model)}`; a consumer "
                               "refuses it from any other source or topic.",
                "contentType": CONTENT_TYPE,
                "headers": _event_headers(model, topic),
                "payload": {"$ref": schema_pointer(event_type)},
                "bindings": {"kafka": {"key": _key(model), "bindingVersion": KAFKA_BINDING}},
            }
        return f"#/components/messages/{event_type}"

    def _dead_letter_message(self) -> str:
        self.messages.setdefault(DEAD_LETTER_MESSAGE, {
            "name": DEAD_LETTER_MESSAGE,
            "title": "Dead letter",
            "summary": "A consumed message that could not be processed, with the reason.",
            "description": "The original message's body and key as they were (cut short, "
                           f"with {DLQ_TRUNCATED}, when the whole would be too large to "
                           "write), its headers (the small ones) and the headers below.",
            "contentType": "application/octet-stream",
            "headers": _dead_letter_headers(),
            "payload": {"type": "string", "format": "binary",
                        "description": "The original message's body, byte for byte: a "
                                       "CloudEvent, or whatever could not be read as one."},
            "bindings": {"kafka": {"key": {"type": "string", "description": "The original "
                                           "message's key."},
                                   "bindingVersion": KAFKA_BINDING}},
        })
        return f"#/components/messages/{DEAD_LETTER_MESSAGE}"


def _publisher(model: type[EventData]) -> str | None:
    """The service that publishes ``model``'s events (``None``: a provider's system)."""
    provenance = provenance_of(model)
    return None if provenance is None else provenance.service


def _source(model: type[EventData]) -> str:
    """The envelope ``source`` an event of ``model`` must have."""
    provenance = provenance_of(model)
    source = None if provenance is None else provenance.source
    return source or f"{PROVIDER_SOURCE_PREFIX}{PROVIDER_ID_PLACEHOLDER}"


def _one_of(value: str) -> dict[str, Any]:
    return {"type": "string", "enum": [value]}


def _example_name(topic: Topic) -> str:
    """A topic name the plan knows: a provider's topic for a template."""
    return topic.name.replace(PROVIDER_ID_PLACEHOLDER, PROVIDER_PARAMETER)


def _channel_binding(topic: Topic) -> dict[str, Any]:
    """Partitions and the topic settings the plan creates it with
    (:func:`~ankommen.shared.messaging.topics.topic_configs`) that a client may care about."""
    configs = topic_configs(_example_name(topic))
    binding: dict[str, Any] = {} if PROVIDER_ID_PLACEHOLDER in topic.name else {
        "topic": topic.name}
    binding["partitions"] = topic.partitions
    configuration: dict[str, Any] = {
        "cleanup.policy": configs["cleanup.policy"].split(","),
        "retention.ms": int(configs["retention.ms"]),
        "retention.bytes": int(configs["retention.bytes"]),
    }
    if "message.timestamp.type" in configs:
        configuration["message.timestamp.type"] = configs["message.timestamp.type"]
    binding["topicConfiguration"] = configuration
    binding["bindingVersion"] = KAFKA_BINDING
    return binding


def _retention(topic: Topic) -> str:
    ms = topic.retention.ms
    return (f"for ever ({topic.retention.reason})" if ms < 0 else
            f"{ms // (24 * 60 * 60 * 1000)} days ({topic.retention.reason})")


def _provider_parameter() -> dict[str, Any]:
    return {"description": f"The provider's id (`{PROVIDER_ID.pattern}`), as in its principal "
                           f"`User:{provider_principal(PROVIDER_ID_PLACEHOLDER)}` and its "
                           "envelope `source` `/providers/<provider_id>`."}


def _key(model: type[EventData]) -> dict[str, Any]:
    return {"type": "string", "description": f"{KEY_MEANINGS[model.aggregate_type]} "
                                             f"(aggregate type `{model.aggregate_type}`)."}


def _event_headers(model: type[EventData], topic: Topic) -> dict[str, Any]:
    """The Kafka headers of an event: its content type (CloudEvents' structured content
    mode), the W3C trace context except on an unlinkable topic, FastStream's correlation id.
    A provider's report is written by the provider's own system: what it should send."""
    content_type = {"type": "string", "const": CONTENT_TYPE,
                    "description": "Structured content mode of the CloudEvents Kafka binding: "
                                   "the message value is the whole event, attributes and "
                                   "data."}
    if _publisher(model) is None:
        return {"type": "object", "properties": {
            "content-type": content_type,
            "traceparent": {"type": "string", "description": "W3C trace context of the "
                                                             "provider's system, if it traces."},
        }}
    properties: dict[str, Any] = {"content-type": content_type}
    if not topic.unlinkable:
        continues = ("continues the trace of the request or event that caused it"
                     if model.carries_trace_context else
                     "starts at the publish (the event carries no caller's trace context)")
        properties["traceparent"] = {"type": "string",
                                     "description": f"W3C trace context; {continues}."}
        properties["tracestate"] = {"type": "string",
                                    "description": "W3C trace state, with traceparent."}
        properties["baggage"] = {"type": "string",
                                 "description": "W3C baggage, when the cause had some."}
    properties["correlation_id"] = {"type": "string",
                                    "description": "A random id (FastStream's batch consumers "
                                                   "link their span to it); means nothing."}
    return {"type": "object", "properties": properties, "required": ["content-type"]}


def _dead_letter_headers() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            DLQ_REASON: {**text, "description": "Why the message could not be processed "
                                                "(never a value from it: it may hold personal "
                                                "data)."},
            DLQ_TOPIC: {**text, "description": "The topic it was read from."},
            DLQ_PARTITION: {**text, "description": "Its partition there."},
            DLQ_OFFSET: {**text, "description": "Its offset there."},
            DLQ_GROUP: {**text, "description": "The consumer group that gave up on it."},
            DLQ_FAILED_AT: {**text, "description": "When (ISO 8601)."},
            DLQ_TRUNCATED: {**text, "const": "true",
                            "description": "Only the beginning of body and key are kept."},
            DLQ_ORIGINAL_SIZE: {**text, "description": "The original body's size in bytes, "
                                                       "when truncated."},
            DLQ_HEADERS_DROPPED: {**text, "description": "How many of the original's headers "
                                                         "were left out (too large)."},
        },
        "required": [DLQ_REASON, DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET, DLQ_GROUP,
                     DLQ_FAILED_AT],
        "additionalProperties": {**text, "description": "The original message's headers."},
    }


def _server(service: str) -> dict[str, Any]:
    env = CommonSettings.env_name
    return {
        "host": "{bootstrap_server}",
        "protocol": "kafka-secure",
        "title": "The county's Kafka cluster",
        "description": f"SASL_SSL: TLS on the wire, the broker's certificate checked against "
                       f"`{env('kafka_ca_file')}`; {service} signs in as `User:{service}` "
                       f"(`{env('kafka_username')}`), a provider's system as "
                       f"`User:{provider_principal(PROVIDER_ID_PLACEHOLDER)}`. "
                       "See docs/security.md, Kafka principals and ACLs.",
        "variables": {"bootstrap_server": {
            "description": f"One of the cluster's bootstrap servers, host:port "
                           f"(`{env('kafka_bootstrap_servers')}` lists them)."}},
        "security": [{"$ref": f"#/components/securitySchemes/{SECURITY_SCHEME}"}],
    }


def _security_scheme() -> dict[str, Any]:
    return {"type": _SCHEME_TYPES[SASL_MECHANISM],
            "description": f"SASL/{SASL_MECHANISM} over TLS: each service and each provider "
                           "system has its own principal and password; ACLs let each write "
                           "only the topics it publishes and read only those it consumes."}
