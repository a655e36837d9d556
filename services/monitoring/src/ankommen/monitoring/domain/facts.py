"""Monitoring's rule of admission: only de-identified facts get in.

Monitoring must never hold a pseudonym. The facts contract carries none, but the rule is
enforced here too, on every message, so a publishing mistake elsewhere ends in the dead-letter
topic instead of in monitoring's database.
"""

from __future__ import annotations

from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.envelope import InvalidEvent
from ankommen.shared.events.registry import DecodedEvent


def fact_of(event: DecodedEvent) -> Fact:
    """The fact ``event`` carries: what every event admitted here carries."""
    if not isinstance(event.data, Fact):
        raise InvalidEvent(f"type: monitoring accepts de-identified facts only, "
                           f"not {event.envelope.type}")
    return event.data


def admit_only_facts(event: DecodedEvent) -> None:
    fact_of(event)
    if event.envelope.subject is not None:
        raise InvalidEvent("subject: a fact must not name a subject (no pseudonyms)")
