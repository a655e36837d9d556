"""De-identified facts for monitoring: coarse attributes only, no pseudonym, no identity.

Each fact carries a random ``record_key`` (not derived from the case) from which monitoring's
Cell Key Method derives consistent noise. Facts are keyed by that record key on the topic.

Only the base lives here. Each fact type is defined in the contract module of the service that
publishes it (``intake.ArrivalRecorded``, ``assignment.PlacementMadeFact`` …): that module is
what makes the service its owner, and monitoring accepts a fact only with its owner's
``source`` (:mod:`ankommen.shared.events.provenance`). A fact type defined here would have no
owner, and every consumer would refuse it.

A fact carries no exact time either: its envelope ``time`` is the first instant (UTC) of the
fact's month (:meth:`Fact.stamped_time`), so that neither the envelope nor the Kafka record
timestamp (which the relay sets to the envelope time on the facts topic) can link a fact to
the case event published in the same transaction, to the microsecond. Monitoring publishes
months only; it needs nothing finer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from ankommen.shared.events.contracts.vocabulary import RecordKey
from ankommen.shared.events.envelope import EventData
from ankommen.shared.messaging.topics import FACTS


class Fact(EventData):
    """Base of every fact; the topic is always the facts topic."""

    topic: ClassVar[str] = FACTS.name
    aggregate_type: ClassVar[str] = "fact"
    carries_trace_context: ClassVar[bool] = False

    record_key: RecordKey

    if TYPE_CHECKING:
        #: Every fact type declares its month (``YYYY-MM``) as a field of its own (after the
        #: record key, which must stay the first field: monitoring relies on it).
        month: str

    def stamped_time(self, now: datetime) -> datetime:  # noqa: ARG002 (the point: not now)
        """The first instant (UTC) of the fact's month, never the moment it was published."""
        return month_start(self.month)


def month_start(month: str) -> datetime:
    """The first instant (UTC) of ``month`` (``YYYY-MM``)."""
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=UTC)

