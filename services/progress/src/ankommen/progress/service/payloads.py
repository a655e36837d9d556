"""A consumed event's payload as the type its handler is registered for: consumers dispatch by
payload type, so a handler knows what it gets — this says so to the type checker, and turns a
wiring mistake into a clear error instead of a missing attribute further on."""

from __future__ import annotations

from typing import TypeVar

from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent

EventT = TypeVar("EventT", bound=EventData)


def payload(event: DecodedEvent, *kinds: type[EventT]) -> EventT:
    """``event``'s payload, one of ``kinds``; :class:`TypeError` if it is none of them."""
    if not isinstance(event.data, kinds):
        raise TypeError(f"{type(event.data).__name__} is not one of "
                        f"{', '.join(kind.__name__ for kind in kinds)}")
    return event.data
