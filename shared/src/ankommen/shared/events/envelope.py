"""The one envelope every ankommen event travels in.

It uses the CloudEvents 1.0 attribute names (``specversion``, ``id``, ``type``, ``source``,
``time``, ``subject``, ``datacontenttype``, ``data``) in the structured JSON mode, so that any
CloudEvents-aware tool can read our topics. The ``type`` carries the schema version
(``ankommen.intake.case_registered.v1``); a breaking change is a new type, never an edit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


class InvalidEvent(ValueError):
    """A message that is not a valid ankommen event; ``reason`` says why, for the dead letter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventData(BaseModel):
    """Base of every event payload: immutable, and strict about unknown fields.

    Unknown fields are refused so that personal data cannot ride along unnoticed in a payload
    whose schema does not name it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The versioned CloudEvents ``type`` of this payload.
    event_type: ClassVar[str]
    #: The topic the event is published to; for an event each provider has a topic of, the
    #: topics' template (``ankommen.provider.{provider_id}.rejections``): see
    #: :meth:`destination`.
    topic: ClassVar[str]
    #: What the Kafka key identifies (outbox ``aggregate_type``): a case, a course, a fact.
    aggregate_type: ClassVar[str]
    #: Whether the publishing request's trace context travels with the event. Facts for
    #: monitoring say no: a shared trace id would link a fact back to its case's events.
    carries_trace_context: ClassVar[bool] = True

    def destination(self) -> str:
        """The topic this event goes to (an event for one provider overrides it)."""
        return self.topic

    def stamped_time(self, now: datetime) -> datetime:
        """The envelope ``time`` of this event when published at ``now``: ``now`` itself,
        except for an event that must not carry the exact moment (a fact for monitoring says
        only its month, :class:`ankommen.shared.events.contracts.facts.Fact`)."""
        return now


class Envelope(BaseModel):
    """A CloudEvents 1.0 envelope around one event payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = Field(None, max_length=200)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    def to_json(self) -> str:
        """The structured-mode JSON of this event, with every unset optional attribute left out.

        The CloudEvents JSON format lets a reader take ``null`` for absent, but the official
        SDKs do not: the Python SDK refuses ``"subject": null`` ("Attribute 'subject' must be
        a str"). Only the envelope's own attributes are left out when unset: a ``null`` inside
        ``data`` belongs to the payload. They are named rather than ``exclude_none``, which
        leaves a ``dict[str, Any]`` alone only because pydantic serialises ``Any`` as it is —
        its choice, not a promise. Our decoder still accepts ``null`` from others.
        """
        unset = {name for name in type(self).model_fields
                 if name != "data" and getattr(self, name) is None}
        return self.model_dump_json(exclude=unset)

    def to_bytes(self) -> bytes:
        return self.to_json().encode()
