"""Recording a fact: its contributions are added to their cells, and the fact is forgotten.

Which cells a fact adds to is the domain's table (:mod:`domain.contributions`); this use case is
the same for every fact type. Contributions to a closed month are not added (closed months are
frozen) but the fact is counted as late; a fact type without contributions yet is counted as
unused — both show in ``/status``, so operators see what arrives and what it became.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from ankommen.monitoring.adapters.repository import Aggregates, Outcome
from ankommen.monitoring.domain.cells import record_key_value
from ankommen.monitoring.domain.contributions import CONTRIBUTIONS
from ankommen.monitoring.domain.months import is_late
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.consumer import Handler


def fact_recorder(grace: timedelta) -> Handler:
    """The consumer handler for every fact type monitoring understands."""

    async def record_fact(uow: UnitOfWork, event: DecodedEvent) -> None:
        await apply_fact(Aggregates(uow.session), event, grace)

    return record_fact


async def apply_fact(aggregates: Aggregates, event: DecodedEvent, grace: timedelta) -> None:
    fact = event.data
    published_at = event.envelope.time.astimezone(UTC)
    contribute = CONTRIBUTIONS.get(type(fact))
    if contribute is None:
        await aggregates.record_fact(event.envelope.type, published_at, Outcome.UNUSED)
        return
    key = record_key_value(fact.record_key)
    outcome = Outcome.APPLIED
    for contribution in contribute(fact):
        if is_late(contribution.month, published_at, grace):
            outcome = Outcome.LATE
            continue
        await aggregates.add(contribution, key)
    await aggregates.record_fact(event.envelope.type, published_at, outcome)
