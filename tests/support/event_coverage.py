"""Which events crossed a service boundary through a real broker during the test run.

The service-layer tests run on in-memory fakes; what proves that the services still understand
each other is the tests that run them against a real broker (Apache Kafka or Tansu over TCP).
This module watches those crossings while the suite runs and names every one that no test
made, so that moving a test to the fakes cannot silently leave a crossing untested.

A crossing is an event type and a consumer group of another service that handles it (intake's
``CaseRegistered`` read by ``ankommen.assignment.cases``; a provider's report read by
progress's provider-report group); a retired type, which its owner no longer sends, is none.
It counts as covered when one event of that type

- was sent by its owner's outbox relay (:class:`RelayProducer`) — for a provider's report,
  which a provider's own system writes, any producer will do;
- was fetched by an aiokafka consumer, i.e. read from a broker over the network, not handed
  over in memory; and
- was handled by that group's consumer without an error,

all three the same event (its envelope id), in any test of the run. Services that a test
starts as processes of their own are not watched: the in-process services of the
integration tests must cover every crossing on their own.

Each xdist worker watches its own process and hands its observations to the controller at
the end (``workeroutput``); the controller adds them up and, when the whole suite ran, fails
the run for every crossing left uncovered (see ``tests/conftest.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer  # pyright: ignore[reportMissingTypeStubs]

from ankommen.shared.events import contracts  # noqa: F401 - registers every event type
from ankommen.shared.events.provenance import provenance_of
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import BatchEventConsumer, Delivery, EventConsumer
from ankommen.shared.messaging.producer import Message, RelayProducer

#: The services whose consumers the crossings are counted for.
SERVICES = ("intake", "assignment", "progress", "monitoring")


@dataclass(frozen=True, order=True)
class Crossing:
    """An event type read by a consumer group of a service that does not own it."""

    event_type: str
    group_id: str

    def __str__(self) -> str:
        return f"{self.event_type} → {self.group_id}"


@dataclass
class Observations:
    """What one process saw; envelope ids throughout (never an event's content)."""

    relayed: set[str] = field(default_factory=set)
    fetched: set[str] = field(default_factory=set)
    handled: set[tuple[str, str, str]] = field(default_factory=set)

    def as_data(self) -> dict[str, list[Any]]:
        """Plain lists, as xdist hands them from a worker to the controller."""
        return {"relayed": sorted(self.relayed), "fetched": sorted(self.fetched),
                "handled": [list(item) for item in sorted(self.handled)]}

    def add(self, data: dict[str, list[Any]]) -> None:
        self.relayed.update(data["relayed"])
        self.fetched.update(data["fetched"])
        self.handled.update((kind, group, event_id) for kind, group, event_id in data["handled"])

    def covered(self, provider_channel: frozenset[str]) -> set[Crossing]:
        """The crossings made end to end: relayed (or, for a provider's report, written by
        anyone), fetched over the network and handled, the same event each time."""
        return {Crossing(kind, group) for kind, group, event_id in self.handled
                if event_id in self.fetched
                and (event_id in self.relayed or kind in provider_channel)}


#: This process's observations (one per pytest process: the controller's stays empty under
#: xdist, where the workers run the tests).
OBSERVED = Observations()


def _envelope_id(body: bytes | None) -> str | None:
    """The envelope id of a message body, or ``None`` for anything else — the suite sends
    malformed bodies on purpose (nested a thousand deep, not JSON at all), and watching must
    never disturb what it watches."""
    try:
        envelope = json.loads(body or b"")
    except (ValueError, RecursionError):
        return None
    event_id = envelope.get("id") if isinstance(envelope, dict) else None
    return event_id if isinstance(event_id, str) else None


def _note(ids: set[str], bodies: Iterable[bytes | None]) -> None:
    for body in bodies:
        event_id = _envelope_id(body)
        if event_id is not None:
            ids.add(event_id)


def watch() -> None:
    """Wrap the relay's sends, aiokafka's fetches and the consumers' handling in this process
    (idempotent). Each wrapper only notes envelope ids and calls the original unchanged."""
    if getattr(RelayProducer.send, "_watched", False):
        return
    _wrap(RelayProducer, "send", lambda args: _note(OBSERVED.relayed, [args[3]]))
    _wrap(RelayProducer, "send_wave",
          lambda args: _note(OBSERVED.relayed, [message[2] for message in _messages(args)]))
    _wrap_fetch("getone", lambda record: _note(OBSERVED.fetched, [record.value]))
    _wrap_fetch("getmany", lambda batches: _note(
        OBSERVED.fetched, [record.value for records in batches.values() for record in records]))
    _wrap_handling()


def _messages(args: tuple[Any, ...]) -> Sequence[Message]:
    return args[1]


def _observe(note: Callable[[Any], None], value: Any) -> None:  # noqa: ANN401
    """Watching never disturbs what it watches: a note that fails is only a crossing not
    seen, which the judgement at the end names."""
    with contextlib.suppress(Exception):
        note(value)


def _wrap(owner: type, name: str, before: Callable[[tuple[Any, ...]], None]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        _observe(before, args)
        return await original(*args, **kwargs)

    wrapper._watched = True  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)


def _wrap_fetch(name: str, after: Callable[[Any], None]) -> None:
    original = getattr(AIOKafkaConsumer, name)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        result = await original(*args, **kwargs)
        _observe(after, result)
        return result

    setattr(AIOKafkaConsumer, name, wrapper)


def _wrap_handling() -> None:
    handle_once = EventConsumer._handle_once  # noqa: SLF001
    handle_batch = BatchEventConsumer._handle_batch  # noqa: SLF001

    @functools.wraps(handle_once)
    async def handled_once(self: EventConsumer[Any], handler: Any, decoded: Any) -> None:  # noqa: ANN401
        await handle_once(self, handler, decoded)
        OBSERVED.handled.add((decoded.envelope.type, self.group_id, decoded.envelope.id))

    @functools.wraps(handle_batch)
    async def handled_batch(self: BatchEventConsumer[Any], deliveries: Sequence[Delivery]
                            ) -> None:
        await handle_batch(self, deliveries)
        OBSERVED.handled.update((delivery.event.envelope.type, self.group_id,
                                 delivery.event.envelope.id) for delivery in deliveries)

    EventConsumer._handle_once = handled_once  # type: ignore[method-assign]  # noqa: SLF001
    BatchEventConsumer._handle_batch = handled_batch  # type: ignore[method-assign]  # noqa: SLF001


@dataclass(frozen=True)
class Boundaries:
    """Every crossing the services' consumers make, and which event types come from the
    provider channel (written by providers' systems, not by a service's relay)."""

    crossings: frozenset[Crossing]
    provider_channel: frozenset[str]


def boundaries(services: Sequence[str] = SERVICES) -> Boundaries:
    """Read from each service's app as built for production: its consumers, their groups and
    the event types they have a handler for, keeping those owned by another service or by the
    provider channel."""
    crossings: set[Crossing] = set()
    with tempfile.TemporaryDirectory() as folder:
        for service in services:
            for consumer in _consumers(service, Path(folder)):
                for model in consumer.event_types:
                    provenance = provenance_of(model)
                    if provenance is None or provenance.service == service or model.retired:
                        continue  # nobody's, its own, or nobody sends it any more
                    crossings.add(Crossing(model.event_type, consumer.group_id))
    return Boundaries(frozenset(crossings), provider_channel())


def _consumers(service: str, folder: Path) -> list[EventConsumer[Any]]:
    from tests.support.services import settings_for  # noqa: PLC0415 - only the controller

    config = settings_for(service, database_url=f"sqlite+aiosqlite:///{folder}/{service}.db")
    app = importlib.import_module(f"ankommen.{service}.app").create_app(config)
    return list(app.state.runtime.consumers)


def whole_suite(args_source: pytest.Config.ArgsSource, option: argparse.Namespace) -> bool:
    """Whether a run is the whole suite (``make test``): no paths, keywords, markers or
    deselections chose a part of it, and it does not stop at the first failures. Every option
    is read whatever the others say, so that a misspelt one fails every run, not only the
    whole suite's."""
    chosen = (option.keyword, option.markexpr, option.deselect, option.maxfail)
    return args_source is pytest.Config.ArgsSource.TESTPATHS and not any(chosen)


def provider_channel() -> frozenset[str]:
    """The event types providers' systems write (read from the registry, no app built)."""
    return frozenset(name for name, model in registry.models.items()
                     if (provenance := provenance_of(model)) is not None
                     and provenance.service is None)


def uncovered(observed: Observations, known: Boundaries) -> list[Crossing]:
    """The crossings no test of the run made end to end, in order."""
    return sorted(known.crossings - observed.covered(known.provider_channel))

