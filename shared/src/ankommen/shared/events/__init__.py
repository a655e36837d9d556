"""Event contracts: one CloudEvents-shaped envelope, a pydantic model per event type, and the
registry that maps a versioned ``type`` string to its model."""

from ankommen.shared.events.envelope import Envelope, EventData, InvalidEvent
from ankommen.shared.events.registry import DecodedEvent, EventRegistry, registry

__all__ = ["DecodedEvent", "Envelope", "EventData", "EventRegistry", "InvalidEvent", "registry"]

# Registers every contract with the registry.
from ankommen.shared.events import contracts as contracts  # noqa: E402
