"""De-identified facts for monitoring: coarse attributes only, no pseudonym, no identity.

Each fact carries a random ``record_key`` (not derived from the case) from which monitoring's
Cell Key Method derives consistent noise. Facts are keyed by that record key on the topic.

Only the base lives here. Each fact type is defined in the contract module of the service that
publishes it (``intake.ArrivalRecorded``, ``assignment.PlacementMadeFact`` …): that module is
what makes the service its owner, and monitoring accepts a fact only with its owner's
``source`` (:mod:`ankommen.shared.events.provenance`). A fact type defined here would have no
owner, and every consumer would refuse it.
"""

from __future__ import annotations

from typing import ClassVar

from ankommen.shared.events.contracts.vocabulary import RecordKey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.topics import FACTS


class Fact(EventData):
    """Base of every fact; the topic is always the facts topic."""

    topic: ClassVar[str] = FACTS.name
    aggregate_type: ClassVar[str] = "fact"
    carries_trace_context: ClassVar[bool] = False

    record_key: RecordKey

