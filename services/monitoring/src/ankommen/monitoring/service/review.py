"""The review list: what monitoring holds instead of counting, and an admin's decision on it.

Applying a held fact adds it to its cells exactly as if it had been within bounds — for a
closed month that is a correction (:mod:`domain.review`) — and records the decision (who,
when, which month) in the correction log in the same transaction; discarding records only the
decision. A decision is final: an entry decided once is refused a second time (409), and the
whole request changes nothing when one of its entries is unknown or decided. A rebuild applies
the logged decisions again (:mod:`service.rebuild`), so the figures it rebuilds include the
same corrections.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from ankommen.monitoring.adapters.review import DecisionRecord, ReviewEntry, ReviewList
from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.domain.bounds import Bounds, Reason
from ankommen.monitoring.domain.facts import fact_of
from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.domain.review import Correction, Decision, corrections_of
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.errors import Conflict, NotFound
from ankommen.shared.events.registry import registry

logger = logging.getLogger(__name__)

#: At most this many entries are decided at once (one transaction).
MAX_DECIDED_AT_ONCE = 10_000


@dataclass(frozen=True)
class ReviewOverview:
    #: Entries awaiting a decision, by reason (every reason, 0 included).
    pending: dict[str, int]
    entries: list[ReviewEntry]
    #: The latest decisions, newest first.
    decisions: list[DecisionRecord]


async def review_list(unit: MonitoringUnitOfWork, reason: Reason | None = None,
                      month: str | None = None, limit: int = 100, decisions: int = 100
                      ) -> ReviewOverview:
    """Read on ``unit``, which the caller opened (and does not commit)."""
    review = unit.review_entries
    counts = await review.pending_counts()
    return ReviewOverview({reason.value: counts.get(reason.value, 0) for reason in Reason},
                          await review.pending(reason.value if reason else None, month, limit),
                          await review.decisions(decisions))


@dataclass(frozen=True)
class Decided:
    decision: Decision
    event_ids: list[str]
    #: The corrections the applied facts made (none for a discard).
    corrections: list[Correction]


async def decide(uow: UnitOfWorkFactory[MonitoringUnitOfWork], bounds: Bounds,
                 decision: Decision, decided_by: str, now: datetime, *,
                 event_ids: Sequence[str] = (), reason: Reason | None = None,
                 month: str | None = None) -> Decided:
    """Apply or discard the named entries — or every pending one with ``reason`` (and
    ``month``) — as ``decided_by`` at ``now``."""
    try:
        async with uow() as unit:
            review = unit.review_entries
            entries = await _selected(review, event_ids, reason, month)
            if decision is Decision.APPLIED:
                folded = FoldedFacts(bounds)
                for entry in entries:
                    if entry.body is None:
                        raise Conflict("event_ids: a fact to apply is not in the facts "
                                       "archive; rebuild first", field="event_ids")
                    event = registry.decode(entry.body.encode())
                    folded.fold(fact_of(event), event.envelope.time.astimezone(UTC))
                await unit.aggregates.write(folded)
            await review.record([DecisionRecord(entry.event_id, decision, entry.reason,
                                                entry.month, decided_by, now)
                                 for entry in entries])
            await unit.commit()
    except IntegrityError:  # decided at the same time by someone else
        raise Conflict("event_ids: an entry was decided meanwhile; nothing was changed",
                       field="event_ids") from None
    corrections = corrections_of((entry.month, now) for entry in entries) \
        if decision is Decision.APPLIED else []
    for entry in entries:
        logger.info("review entry %s %s by %s (reason %s, month %s)", entry.event_id,
                    decision.value, decided_by, entry.reason, entry.month)
    return Decided(decision, [entry.event_id for entry in entries], corrections)


async def _selected(review: ReviewList, event_ids: Sequence[str], reason: Reason | None,
                    month: str | None) -> list[ReviewEntry]:
    if not event_ids:
        return await review.pending(reason.value if reason else None, month,
                                    MAX_DECIDED_AT_ONCE)
    wanted = list(dict.fromkeys(event_ids))
    found = await review.entries(wanted)
    missing = [event_id for event_id in wanted if event_id not in found]
    if missing:
        raise NotFound(f"event_ids: {len(missing)} not on the review list; nothing was "
                       "changed", field="event_ids")
    decided = [event_id for event_id in wanted if found[event_id].decision is not None]
    if decided:
        raise Conflict(f"event_ids: {len(decided)} already decided; nothing was changed",
                       field="event_ids")
    return [found[event_id] for event_id in wanted]


async def corrections(unit: MonitoringUnitOfWork, first_month: str | None = None,
                      last_month: str | None = None) -> list[Correction]:
    """The corrections of the months from ``first_month`` to ``last_month`` (all: ``None``),
    read on ``unit``."""
    applied = await unit.review_entries.applied()
    return [correction for correction in corrections_of(applied)
            if (first_month is None or correction.month >= first_month)
            and (last_month is None or correction.month <= last_month)]
