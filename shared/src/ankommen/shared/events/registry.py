"""The registry from versioned event ``type`` to payload model.

Decoding is the single gate every consumed message passes: bytes → envelope → typed payload.
Anything that fails raises :class:`InvalidEvent` with a reason a human can act on, which the
consumer puts on the dead-letter topic.

Decoding is *total*: whatever the bytes — not UTF-8, not JSON, 50,000 levels of nesting,
megabytes, ``NaN``, JSON of the wrong shape — the result is a :class:`DecodedEvent` or an
:class:`InvalidEvent`, never another exception. Anyone may write to a topic a consumer reads
(providers write to the reports topic), and an exception that escaped the decoder used to
escape the consumer too, skipping the message and, in a batch consumer, the whole batch.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

from pydantic import ValidationError
from pydantic_core import from_json
from typing_extensions import TypeIs

from ankommen.shared.events.envelope import Envelope, EventData, InvalidEvent

EventT = TypeVar("EventT", bound=type[EventData])
#: A payload type a handler is registered for (:meth:`DecodedEvent.data_as`).
DataT = TypeVar("DataT", bound=EventData)


@dataclass(frozen=True)
class DecodedEvent:
    envelope: Envelope
    data: EventData

    def data_as(self, *kinds: type[DataT]) -> DataT:
        """The payload as one of ``kinds``, the types its handler is registered for. Consumers
        dispatch by payload type, so anything else is a wiring mistake in our code
        (:class:`TypeError`), never someone else's event: the registry has decoded and checked
        it already."""
        if not isinstance(self.data, kinds):
            raise TypeError(f"{type(self.data).__name__} is not one of "
                            f"{', '.join(kind.__name__ for kind in kinds)}")
        return self.data


#: The largest body an event may have. Events are small (a few kilobytes); Kafka's default
#: ``message.max.bytes`` is 1 MB. A larger body is refused before it is parsed.
MAX_EVENT_BYTES = 1024 * 1024


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


#: Bodies that may hold what JSON does not have (``NaN``, ``Infinity``; the one-pass parser
#: takes them) or a number that only fits a float as infinity (``1e400``, 309 digits). Only
#: these are checked again, so that the common body is still parsed once.
_SUSPECT_NUMBERS = re.compile(rb"NaN|Infinity|[eE][+]?[0-9]{3}|[0-9]{309}")


def _strict_json(raw: bytes) -> Any:  # noqa: ANN401 - any JSON value
    """``raw`` parsed by pydantic-core's parser (like the one-pass path): it has a nesting
    limit instead of recursing until Python's stack runs out, and here it refuses NaN and
    Infinity, which JSON does not have."""
    try:
        return from_json(raw, allow_inf_nan=False, cache_strings=False)
    except ValueError as error:
        hint = ("NaN or Infinity, which JSON does not have: "
                if b"NaN" in raw or b"Infinity" in raw else "")
        raise InvalidEvent(f"body: not valid JSON ({hint}{_clip(str(error), 200)})") from None


def _refuse_non_finite(raw: bytes, data: dict[str, Any]) -> None:
    """Raise :class:`InvalidEvent` if the body has NaN or Infinity, or a payload number that
    became infinite: no consumer can compute with it or write it as JSON again."""
    _strict_json(raw)
    path = _non_finite(data, "data")
    if path is not None:
        raise InvalidEvent(f"{_clip(path, 200)}: a number beyond the range of a 64-bit float")


#: A value parsed from JSON.
_Json: TypeAlias = dict[str, "_Json"] | list["_Json"] | str | int | float | bool | None


def _non_finite(value: _Json, path: str) -> str | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    items = (value.items() if isinstance(value, dict)
             else enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        found = _non_finite(item, f"{path}.{key}")
        if found is not None:
            return found
    return None


def _may_hold_non_finite(model: type[EventData]) -> bool:
    """Whether a valid payload of ``model`` can hold a number that JSON lacks (``NaN``,
    ``Infinity``, ``1e400``): only a float field or a field of any type can. For every other
    payload, a body holding one fails validation, and only then needs the check below —
    which costs more than the validation itself (the pattern finds three digits after an
    ``e`` in most event ids)."""
    schema = json.dumps(model.model_json_schema())
    return '"number"' in schema or "{}" in schema or '"additionalProperties": true' in schema


def _describe(error: ValidationError, prefix: str) -> str:
    """The first problems of a validation error, by field; never the input values (they may
    be personal data). Field names come from the message, so they are clipped."""
    parts: list[str] = []
    for problem in error.errors(include_input=False, include_url=False)[:5]:
        location = ".".join(_clip(str(part), 60) for part in problem["loc"])
        parts.append(f"{prefix}{_clip(location, 200)}: {_clip(problem['msg'], 200)}")
    return "; ".join(parts)


def _is_binary(raw: object) -> TypeIs[bytes | bytearray | memoryview[int]]:
    return isinstance(raw, bytes | bytearray | memoryview)


class EventRegistry:
    """Maps ``type`` strings to payload models; built once at import of the contracts."""

    def __init__(self) -> None:
        self._models: dict[str, type[EventData]] = {}
        #: Per payload model: whether a valid payload may hold a non-finite number.
        self._non_finite_possible: dict[type[EventData], bool] = {}

    def register(self, model: EventT) -> EventT:
        """Class decorator: make ``model`` decodable under its ``event_type``."""
        existing = self._models.get(model.event_type)
        if existing is not None and existing is not model:
            raise ValueError(f"event type {model.event_type} is registered twice")
        self._models[model.event_type] = model
        return model

    def model_for(self, event_type: str) -> type[EventData]:
        try:
            return self._models[event_type]
        except KeyError:
            raise InvalidEvent(f"type: unknown event type {event_type!r}") from None

    @property
    def models(self) -> dict[str, type[EventData]]:
        return dict(sorted(self._models.items()))

    def envelope(self, data: EventData, *, source: str, subject: str | None = None,
                 time: datetime | None = None, partitionkey: str | None = None) -> Envelope:
        """Wrap a payload for publishing (``time`` defaults to now; ``partitionkey``: the
        Kafka key it will be sent with, see :attr:`Envelope.partitionkey`)."""
        payload = data.model_dump(mode="json")
        if time is None:
            return Envelope(type=data.event_type, source=source, subject=subject,
                            partitionkey=partitionkey, data=payload)
        return Envelope(type=data.event_type, source=source, subject=subject,
                        partitionkey=partitionkey, data=payload, time=time)

    def decode(self, raw: bytes | None) -> DecodedEvent:
        """Parse and validate one message body, or raise :class:`InvalidEvent` — and no other
        exception, whatever ``raw`` holds."""
        try:
            return self._decode(raw)
        except InvalidEvent:
            raise
        except RecursionError:
            raise InvalidEvent("body: nested too deeply") from None
        except Exception as error:  # a decoder that raised is still a message to dead-letter
            raise InvalidEvent(f"body: could not be decoded ({type(error).__name__})") from None

    def _decode(self, raw: object) -> DecodedEvent:
        if not _is_binary(raw):
            raise InvalidEvent("body: the message is empty" if raw is None else
                               f"body: bytes expected, not {type(raw).__name__}")
        if not raw:
            raise InvalidEvent("body: the message is empty")
        if len(raw) > MAX_EVENT_BYTES:
            raise InvalidEvent(f"body: {len(raw):,} bytes, more than the {MAX_EVENT_BYTES:,} "
                               "an event may have")
        raw = bytes(raw)
        try:
            # Parsing and validating in one pass (pydantic-core) takes half the time of
            # parsing followed by validation; it matters on busy topics (benchmark B1).
            envelope = Envelope.model_validate_json(raw)
        except ValidationError:
            envelope = self._envelope_of(raw)
        model = self._models.get(envelope.type)
        if model is None or self._may_hold_non_finite(model):
            if _SUSPECT_NUMBERS.search(raw):
                _refuse_non_finite(raw, envelope.data)
            model = self.model_for(envelope.type)
        try:
            data = model.model_validate(envelope.data)
        except ValidationError as error:
            # A body refused for a number JSON lacks says so, as it did before the check
            # moved behind the validation.
            if _SUSPECT_NUMBERS.search(raw):
                _refuse_non_finite(raw, envelope.data)
            raise InvalidEvent(_describe(error, "data.")) from None
        return DecodedEvent(envelope=envelope, data=data)

    def _may_hold_non_finite(self, model: type[EventData]) -> bool:
        possible = self._non_finite_possible.get(model)
        if possible is None:
            possible = self._non_finite_possible[model] = _may_hold_non_finite(model)
        return possible

    @staticmethod
    def _envelope_of(raw: bytes) -> Envelope:
        """The envelope step by step, so that the reason names what is wrong: the body, its
        JSON, or a field of the envelope."""
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidEvent(f"body: not valid JSON (not UTF-8: byte "
                               f"0x{raw[error.start]:02x} at position {error.start})") from None
        document = _strict_json(raw)
        if not isinstance(document, dict):
            raise InvalidEvent("body: a JSON object (CloudEvents envelope) is required")
        try:
            return Envelope.model_validate(document)
        except ValidationError as error:
            raise InvalidEvent(_describe(error, "envelope.")) from None


#: The registry of all ankommen events; contracts register themselves on import.
registry = EventRegistry()
