"""Events owned by intake, on the cases topic, keyed by the case pseudonym."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from ankommen.shared.events.contracts.vocabulary import GermanLevel, Pseudonym, RegionKey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.topics import CASES


@registry.register
class CaseRegistered(EventData):
    """A new case (*Fall*) was registered at intake. Carries the pseudonym, never identity."""

    event_type: ClassVar[str] = "ankommen.intake.case_registered.v1"
    topic: ClassVar[str] = CASES.name
    aggregate_type: ClassVar[str] = "case"

    pseudonym: Pseudonym
    region_key: RegionKey
    german_level: GermanLevel
    registered_on: date
