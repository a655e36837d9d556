"""Recording facts: each batch of facts is judged against the bounds (:mod:`domain.bounds`),
folded into the changes it makes to the cells, the changes are written at once, and the facts
are archived as received — in the consumer's unit of work, so each fact is archived exactly
once and a rebuild never depends on what the broker still holds (:mod:`domain.history`).

**The archive row is the inbox row.** The consumer runs without the shared inbox
(``BatchEventConsumer(inbox=False)``): a fact whose event id the archive holds as processed —
a redelivered batch, a copy the relay published again at another offset or partition, a
second consumer instance that overlapped during a rebalance — is skipped; one archived but no
longer counted (a rebuild accepted its loss) is counted again and marked processed; facts
processed before the archive existed are still skipped by their inbox rows. Two instances
that race on one fact both try to insert its archive row: the second fails on the primary key
and is retried, and then skips it, as it would have on the inbox's key; a fact found unmarked
that a rebuild marks meanwhile fails the batch the same way (``ProcessedMeanwhile``).

Which cells a fact adds to is the domain's table (:mod:`domain.contributions`); this use case is
the same for every fact type. A fact out of bounds — an unknown district, a date in the future
or before the published history, a closed month — is not added anywhere but held on the review
list, where an admin applies or discards it (:mod:`service.review`); a fact type without
contributions yet is counted as unused — all show in ``/status``, so operators see what
arrives and what it became.

"Now" is the day the batch is handled (``clock``): when monitoring received the facts, to the
day (:func:`domain.bounds.receipt_day` — the moment would link a fact to its case event, and
the bounds' boundaries are midnights). It is archived with each fact, so that a rebuild judges
with the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ankommen.monitoring.adapters.archive import FactArchive, ProcessedFacts
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.bounds import Bounds, receipt_day
from ankommen.monitoring.domain.facts import fact_of
from ankommen.monitoring.domain.folding import FoldedFacts, Outcome
from ankommen.monitoring.domain.history import archived_fact
from ankommen.shared.clock import Clock
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.messaging.consumer import BatchHandler, Delivery
from ankommen.shared.messaging.topics import FACTS


def fact_recorder(bounds: Bounds, clock: Clock, consumer: str) -> BatchHandler:
    """The batch consumer's handler for every fact type monitoring understands; ``consumer``
    is its group id (the inbox rows of facts from before the archive carry it)."""

    async def record_facts(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
        archive = FactArchive(uow.session, FACTS.name)
        ids = [delivery.event.envelope.id for delivery in deliveries]
        archived = await archive.processed_of(ids)
        skipped = {event_id for event_id, processed in archived.items() if processed}
        skipped |= await ProcessedFacts(uow.session, uow.tables.inbox, consumer).legacy(ids)
        new = [delivery for delivery in deliveries
               if delivery.event.envelope.id not in skipped]
        if not new:
            return
        received_at = receipt_day(clock.now())
        folded = FoldedFacts(bounds)
        for delivery in new:
            fold_fact(folded, delivery.event, received_at)
        await Aggregates(uow.session).write(folded)
        await archive.add([archived_fact(delivery.event.envelope, received_at)
                           for delivery in new if delivery.event.envelope.id not in archived],
                          known_new=True)
        await archive.mark_processed([delivery.event.envelope.id for delivery in new
                                      if delivery.event.envelope.id in archived],
                                     found_unmarked=True)

    return record_facts


def fold_fact(folded: FoldedFacts, event: DecodedEvent, received_at: datetime) -> Outcome:
    """Fold one admitted fact in, or hold it: judged as received on the day of
    ``received_at`` (live and in a rebuild alike, whatever precision the source kept)."""
    return folded.add_fact(event.envelope.id, event.envelope.type, fact_of(event),
                           event.envelope.time.astimezone(UTC), receipt_day(received_at))
