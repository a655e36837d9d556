"""Decoding is total: whatever bytes arrive, the registry returns an event or raises
InvalidEvent with a reason that names the part that is wrong — never another exception, which
would escape the consumer and skip the message (and, in a batch, every message after it)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankommen.shared.events import DecodedEvent, InvalidEvent, registry
from ankommen.shared.events.registry import MAX_EVENT_BYTES
from tests.support.event_examples import valid_documents
from tests.support.poison import json_bytes, json_values, mutated, nested, with_field

#: Where a reason may point: the body as a whole, the envelope, the type, the payload.
REASON_PREFIXES = ("body: ", "envelope.", "type: ", "data.")


def outcome(body: Any) -> DecodedEvent | str:
    """The decoded event, or the reason; any other exception fails the test."""
    try:
        return registry.decode(body)
    except InvalidEvent as invalid:
        reason = invalid.reason
        assert reason.startswith(REASON_PREFIXES), reason
        assert 0 < len(reason) <= 1000, reason
        return reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused_with_a_reason(body):
    outcome(body)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_document_decodes_or_is_refused_with_a_reason(value):
    result = outcome(json_bytes(value))
    assert isinstance(result, str), "a random document is no event"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(valid_documents()))
def test_valid_events_with_any_part_replaced_decode_or_are_refused_with_a_reason(changed):
    """A valid event of some type with one field — of the envelope or of its payload —
    replaced by any JSON, removed or added: it decodes, or the reason names the envelope, the
    type or the payload."""
    outcome(json_bytes(changed))


@pytest.mark.parametrize(("body", "reason"), [
    (None, "body: the message is empty"),
    (b"", "body: the message is empty"),
    (b"\xff\xfe\x00{", "body: not valid JSON (not UTF-8: byte 0xff at position 0)"),
    (b'{"type": "\xc3\x28"}', "body: not valid JSON (not UTF-8: byte 0xc3 at position 10)"),
    (bytes(range(256)), "body: not valid JSON (not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "body: not valid JSON (not UTF-8"),
    (b"   ", "body: not valid JSON"),
    (b"{", "body: not valid JSON"),
    (b'{"a": 1} trailing', "body: not valid JSON"),
    (nested(50_000), "body: not valid JSON"),
    (b'{"a": ' + nested(50_000) + b"}", "body: not valid JSON"),
    (b"[1, 2]", "body: a JSON object (CloudEvents envelope) is required"),
    (b'"a string"', "body: a JSON object"),
    (b"42", "body: a JSON object"),
    (b"null", "body: a JSON object"),
    (b"true", "body: a JSON object"),
    (b"NaN", "body: not valid JSON"),
    (b"{}", "envelope."),
    (b'{"type": "x", "source": "/t", "data": []}', "envelope.data: "),
    (b'{"type": 1, "source": "/t", "data": {}}', "envelope.type: "),
    (b'{"type": "ankommen.x.y.v1", "source": "/t", "data": {}, "extra": 1}',
     "envelope.extra: "),
    (b" " * (MAX_EVENT_BYTES + 1), f"body: {MAX_EVENT_BYTES + 1:,} bytes, more than the"),
    (b"x" * 15_000_000, "body: 15,000,000 bytes, more than the 1,048,576 an event may have"),
    ("a str, not bytes", "body: bytes expected, not str"),
])
def test_the_worst_bodies_are_refused_naming_what_is_wrong(body, reason):
    result = outcome(body)
    assert isinstance(result, str)
    assert result.startswith(reason), result


@pytest.mark.parametrize("document", valid_documents(), ids=lambda document: document["type"])
@pytest.mark.parametrize("poison", [
    pytest.param(b"NaN", id="NaN"),
    pytest.param(b"Infinity", id="Infinity"),
    pytest.param(b"-Infinity", id="-Infinity"),
    pytest.param(b"1e400", id="1e400"),
    pytest.param(b"9" * 5000, id="5000 digits"),
    pytest.param(nested(50_000), id="50000 deep"),
    pytest.param(b'"\\ud800"', id="lone surrogate"),
])
def test_numbers_and_nesting_json_cannot_carry_are_refused_anywhere_in_an_event(
        document, poison):
    """In place of each field of a valid event (envelope and payload), a value that breaks a
    naive decoder: non-finite or unbounded numbers, nesting beyond any stack, a string that
    is no Unicode."""
    for part in ("envelope", "data"):
        target = document if part == "envelope" else document["data"]
        for key in target:
            if part == "envelope" and key == "data":
                continue
            result = outcome(with_field(document, part, key, poison))
            if isinstance(result, DecodedEvent):
                # Only where the field takes any JSON (a provider's raw report) may such a
                # value get through, and then only as a finite number or plain text.
                assert _finite_and_text(result.envelope.data), (part, key, poison)


def _finite_and_text(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_finite_and_text(item) for item in value)
    if isinstance(value, dict):
        return all(_finite_and_text(item) for item in value.values())
    return True


@pytest.mark.parametrize("document", valid_documents(), ids=lambda document: document["type"])
@pytest.mark.parametrize("poison", [b"NaN", b"1e400"])
def test_a_number_json_lacks_in_the_payload_keeps_its_reason_whatever_the_field(
        document, poison):
    """The check for NaN and overlong numbers runs before validation only for payloads that
    may hold a float (it costs more than the validation, benchmark B1); elsewhere it runs once
    validation refused — and the reason is the same as when it always ran first."""
    for key in document["data"]:
        result = outcome(with_field(document, "data", key, poison))
        if isinstance(result, str):
            assert result.startswith(("body: not valid JSON", "data.")), (key, result)
            if poison == b"NaN":
                assert result.startswith("body: not valid JSON"), (key, result)
