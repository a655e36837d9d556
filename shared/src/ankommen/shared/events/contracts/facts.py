"""De-identified facts for monitoring: coarse attributes only, no pseudonym, no identity.

Each fact carries a random ``record_key`` (not derived from the case) from which monitoring's
Cell Key Method derives consistent noise. Facts are keyed by that record key on the topic.
"""

from __future__ import annotations

from typing import ClassVar

from ankommen.shared.events.contracts.vocabulary import DistrictKey, GermanLevel, Month, RecordKey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.topics import FACTS


class Fact(EventData):
    """Base of every fact; the topic is always the facts topic."""

    topic: ClassVar[str] = FACTS.name
    aggregate_type: ClassVar[str] = "fact"
    carries_trace_context: ClassVar[bool] = False

    record_key: RecordKey


@registry.register
class ArrivalFact(Fact):
    """Retired: the skeleton's arrival fact (month, district, German level at intake).

    Intake no longer publishes it — ``ArrivalRecorded`` describes every arrival, once. The
    type stays registered so that facts already on the topic still decode (monitoring counts
    them as unused, and a rebuild from offset 0 neither refuses nor double-counts them)."""

    event_type: ClassVar[str] = "ankommen.intake.arrival_fact.v1"

    month: Month
    district: DistrictKey
    german_level: GermanLevel
