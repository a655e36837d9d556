"""Provenance: which service publishes each event type, on which topic, under which ``source``.

Whoever reaches the broker can write any topic a consumer reads (the broker's ACLs are the
first line; this is the second, and the only one on a broker without them). An event is
therefore believed only where its owner puts it: a service event comes from the one topic its
contract names (``ankommen.<owning service>.<stream>``, or the facts topic for a fact) and with
its owner's ``source`` (``/ankommen/<owning service>``). Anything else — a
``PlacementConfirmed`` on the cases topic, a ``CaseErased`` from ``/ankommen/assignment`` — is
refused with :class:`InvalidEvent`, which every consumer dead-letters with the reason.

The owner is not a second list to keep: it is the contract module that defines the type
(``contracts/intake.py`` → intake). A type defined anywhere else has no owner and is refused;
a unit test fails for every registered type without one.

Facts travel on monitoring's topic, but monitoring writes none: each fact is published by the
service whose contract module defines it (``ArrivalRecorded`` by intake, ``PlacementMadeFact``
by assignment …), so the facts topic is accepted only with that service's ``source`` — never
monitoring's, never a stranger's.

**The provider channel is not judged here.** A provider report (type ``ankommen.provider.…``)
is written by a provider's own system, and only the channel it arrives on can say which
provider that is (its topic, its principal) — never what the message claims; progress's
provider topic consumer attributes it. Here such a type is only kept off the services' topics:
it is accepted on a provider-channel topic (``ankommen.provider.…``) and nowhere else.
Likewise a service event whose contract puts it on the provider channel (a rejection progress
writes for the provider's system) is accepted on any provider-channel topic, as the channel
has one topic per provider.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ankommen.shared.events.envelope import EventData, InvalidEvent
from ankommen.shared.events.registry import DecodedEvent

#: The package whose modules are the services' contracts: a type defined in its module
#: ``intake`` is owned by intake.
CONTRACTS_PACKAGE = "ankommen.shared.events.contracts"
#: Modules of that package that define shared parts, not a service's events (a type defined
#: there has no owner).
SHARED_MODULES = frozenset({"facts", "vocabulary"})
#: Topic and event type names of the provider channel.
PROVIDER_CHANNEL = "ankommen.provider."


def service_source(service: str) -> str:
    """The envelope ``source`` of everything ``service`` publishes."""
    return f"/ankommen/{service}"


def owner_of(model: type[EventData]) -> str | None:
    """The service whose contract module defines ``model`` (``None``: none does)."""
    package, _, module = model.__module__.rpartition(".")
    if package != CONTRACTS_PACKAGE or module in SHARED_MODULES:
        return None
    return module


@dataclass(frozen=True)
class Provenance:
    """Where events of one type must come from."""

    event_type: str
    #: The publishing service; ``None`` for a provider's report (the channel attributes it).
    service: str | None
    #: The topic the contract names.
    topic: str

    @property
    def source(self) -> str | None:
        """The ``source`` required (``None``: not checked here — the provider channel's)."""
        return None if self.service is None else service_source(self.service)

    @property
    def on_provider_channel(self) -> bool:
        return self.topic.startswith(PROVIDER_CHANNEL)

    def allows_topic(self, topic: str) -> bool:
        # The provider channel has one topic per provider: any of them is the right channel.
        if self.on_provider_channel:
            return topic.startswith(PROVIDER_CHANNEL)
        return topic == self.topic

    def refusal(self, topic: str, source: str) -> str | None:
        """Why an event of this type that came on ``topic`` from ``source`` is refused
        (``None``: it is not)."""
        if self.allows_topic(topic) and (self.source is None or source == self.source):
            return None
        publisher = ("a provider's system" if self.service is None else self.service)
        where = (f"a provider channel topic ({PROVIDER_CHANNEL}…)" if self.on_provider_channel
                 else self.topic)
        came = f"came on {_shown(topic)}" + ("" if self.service is None
                                             else f" from {_shown(source)}")
        return f"provenance: {self.event_type} is published by {publisher} on {where}; {came}"


def _shown(text: str) -> str:
    """A topic or ``source`` as the reason shows it: quoted when it holds anything but
    printable characters (a forged ``source`` may hold newlines or bidi overrides)."""
    return text if text.isprintable() and text.strip() == text and text else repr(text)


@functools.cache
def provenance_of(model: type[EventData]) -> Provenance | None:
    """Where ``model``'s events must come from (``None``: nobody owns the type)."""
    if model.event_type.startswith(PROVIDER_CHANNEL):
        # Written by providers' systems; progress's contract module defines it, but progress
        # does not publish it. The provider channel attributes it (its topic, its principal).
        return Provenance(model.event_type, None, model.topic)
    service = owner_of(model)
    if service is None:
        return None
    return Provenance(model.event_type, service, model.topic)


def check_provenance(event: DecodedEvent, topic: str) -> None:
    """Raise :class:`InvalidEvent` unless ``event`` came on a topic and with a ``source`` its
    owner publishes it with; ``topic`` is the one the message was read from."""
    provenance = provenance_of(type(event.data))
    if provenance is None:
        raise InvalidEvent(f"provenance: {event.envelope.type} has no owning service (its "
                           f"model is defined outside the services' contract modules)")
    reason = provenance.refusal(topic, event.envelope.source)
    if reason is not None:
        raise InvalidEvent(reason)
