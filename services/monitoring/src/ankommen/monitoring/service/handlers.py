"""Recording facts: each batch of facts is folded into the changes it makes to the cells, the
changes are written at once, and the facts are archived as applied — in the consumer's unit of
work, with the inbox rows, so each fact is archived exactly once and a rebuild never depends on
what the broker still holds (:mod:`domain.history`).

Which cells a fact adds to is the domain's table (:mod:`domain.contributions`); this use case is
the same for every fact type. Contributions to a closed month are not added (closed months are
frozen) but the fact is counted as late; a fact type without contributions yet is counted as
unused — both show in ``/status``, so operators see what arrives and what it became.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

from ankommen.monitoring.adapters.archive import FactArchive
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.folding import FoldedFacts, Outcome
from ankommen.monitoring.domain.history import archived_fact
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.consumer import BatchHandler, Delivery
from ankommen.shared.topics import FACTS


def fact_recorder(grace: timedelta) -> BatchHandler:
    """The batch consumer's handler for every fact type monitoring understands."""

    async def record_facts(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
        folded = FoldedFacts(grace)
        for delivery in deliveries:
            fold_fact(folded, delivery.event)
        await Aggregates(uow.session).write(folded)
        await FactArchive(uow.session, FACTS.name).add(
            [archived_fact(delivery.event.envelope) for delivery in deliveries])

    return record_facts


def fold_fact(folded: FoldedFacts, event: DecodedEvent) -> Outcome:
    """Fold one admitted fact in; lateness is judged by its publication time (UTC)."""
    return folded.add_fact(event.envelope.type, event.data,
                           event.envelope.time.astimezone(UTC))
