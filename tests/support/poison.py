"""Malformed messages for the decoder and consumer tests: hypothesis strategies for any bytes,
any JSON and valid events with one part replaced, and the worst cases by name."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25)


def json_bytes(value: Any) -> bytes:  # noqa: ANN401 - any JSON value
    """``value`` as JSON the way a careless producer writes it (``NaN`` and ``Infinity``
    included, which Python's json writes and JSON does not have)."""
    return json.dumps(value, allow_nan=True).encode()


@st.composite
def with_one_part_replaced(draw: Callable, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (an envelope) with one field of the envelope or of its payload replaced
    by any JSON, removed, or added."""
    part = draw(st.sampled_from(["envelope", "data"]))
    changed = {**document, "data": dict(document["data"])}
    target = changed if part == "envelope" else changed["data"]
    key = draw(st.sampled_from(sorted(target)) | st.text(max_size=12))
    if draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = draw(json_values)
    return changed


def mutated(documents: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(documents).flatmap(with_one_part_replaced)


def any_body(documents: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """Any bytes, any JSON, or a valid event of ``documents`` with one part replaced."""
    return st.one_of(st.binary(max_size=300), json_values.map(json_bytes),
                     mutated(documents).map(json_bytes))


def draw_examples(strategy: st.SearchStrategy, count: int) -> list[Any]:
    """Up to ``count`` examples of ``strategy``, generated as hypothesis generates test cases
    (small and simple ones as well as large ones; fewer when the strategy has fewer)."""
    drawn: list[Any] = []

    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example: Any) -> None:  # noqa: ANN401 - any example
        drawn.append(example)

    collect()
    return drawn


def nested(depth: int, inner: bytes = b"1") -> bytes:
    """``inner`` inside ``depth`` JSON arrays: beyond any parser's recursion limit."""
    return b"[" * depth + inner + b"]" * depth


def with_field(document: dict[str, Any], part: str, key: str, raw: bytes) -> bytes:
    """``document`` as JSON with ``key`` of the envelope or of its payload (``part``) set to
    the raw JSON text ``raw`` (which may be no JSON at all: ``NaN``, deep nesting …)."""
    placeholder = "\u2603placeholder\u2603"
    changed = {**document, "data": dict(document["data"])}
    (changed if part == "envelope" else changed["data"])[key] = placeholder
    return json.dumps(changed).encode().replace(json.dumps(placeholder).encode(), raw)
