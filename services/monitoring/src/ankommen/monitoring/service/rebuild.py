"""RebuildAggregates: throw the aggregates away and recompute them from a source that still
holds every fact they count — the facts archive in monitoring's own database, or the facts
topic from offset 0 — in one transaction: readers see the old numbers until the new ones are
complete, and a refused rebuild changes nothing.

**Which source.** ``archive`` replays the facts archive; ``topic`` replays the facts topic;
``auto`` (the default) takes the archive when it holds every fact the aggregates count, and
the topic otherwise — on an installation upgraded to the archive, until a rebuild from the
topic has archived the facts processed before it existed.

**Refusing.** Before anything is written for good, the source is compared with the history the
aggregates were built from (:mod:`domain.history`): the topic must begin at offset 0 on every
partition, hold every fact the aggregates count, and hold each archived fact with the content it
was archived with; the archive must hold every fact they count, and agree with its ledger in
count and checksum. Otherwise the rebuild raises :class:`SourceIncomplete` — the transaction is
rolled back, and the aggregates stay as they were — unless the operator accepted the loss, in
which case the result says how many facts fewer the aggregates now count.

Facts go through the same admission rules (provenance: a fact only from the service that
owns its type; then monitoring's own), the same bounds and the same folding as live — judged
with the day the live consumer received them, archived with each fact (a fact the archive
lacks: the day of its record timestamp — since facts carry no exact time, the first day of its
month, which its producer sets, as the topic keeps producer timestamps (CreateTime); one
archived before receipts were recorded: its publication time, as it was judged then) — so the
review list comes out the same; the facts an admin applied from it (the correction log, which
no rebuild deletes) are counted again. Duplicates (the same event id twice on the topic) are
counted once, and exactly the facts replayed are marked processed in the archive (the live
consumer's record of what it processed: no inbox rows), so the live consumer neither skips nor
double-counts afterwards.
The source is read after the old aggregates were deleted and every fact unmarked inside the
transaction, so a fact the live consumer committed just before cannot be lost. A rebuild from
the topic archives every fact it replays that the archive lacks; no rebuild deletes from the
archive.

The whole source is folded in memory (one entry per touched cell, not per fact) and written
once at the end; only the archive rows (or their marks) are written as the batches come in, so
the database works while the next batch is fetched and decoded — one row per fact, not two
(an inbox row as well, until revision 0008). The ids of the facts processed before, and of
those replayed, are held in memory too (the check needs them).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from ankommen.monitoring.adapters.archive import FactArchive
from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.domain.bounds import Bounds
from ankommen.monitoring.domain.facts import admit_only_facts, fact_of
from ankommen.monitoring.domain.folding import FoldedFacts, Outcome
from ankommen.monitoring.domain.history import (
    ArchivedFact,
    History,
    archive_gaps,
    archived_fact,
    fact_checksum,
    topic_gaps,
)
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.envelope import Envelope, InvalidEvent
from ankommen.shared.events.provenance import check_provenance
from ankommen.shared.events.registry import DecodedEvent, registry

#: One message of the facts topic: its body and its record timestamp (``None`` when the
#: broker gave none) — the fact's month start, set by its producer (CreateTime).
TopicMessage = tuple[bytes, datetime | None]


class Source(StrEnum):
    AUTO = "auto"
    ARCHIVE = "archive"
    TOPIC = "topic"


class FactsTopicSource(Protocol):
    """The facts topic as a rebuild needs it (``adapters.facts_topic.FactsTopic``)."""

    @property
    def name(self) -> str: ...

    async def first_offsets(self) -> dict[int, int]:
        """Partition → first offset still held; :class:`LookupError` if there is no topic."""
        ...

    def read(self) -> AsyncIterable[list[TopicMessage]]:
        """Every message from offset 0 to the end, in batches."""
        ...


@dataclass(frozen=True)
class RebuildResult:
    source: Source
    facts: int
    refused: int
    duplicates: int
    digest: str
    #: Facts the aggregates counted before the rebuild.
    before: int = 0
    #: Facts the rebuild added to the archive (a rebuild from the topic).
    archived: int = 0
    #: What the source lacked, when the operator accepted the loss (else empty).
    accepted: tuple[str, ...] = ()

    @property
    def fewer(self) -> int:
        """How many facts fewer the aggregates count than before (0: none fewer)."""
        return max(0, self.before - self.facts)


class SourceIncomplete(Exception):
    """The source no longer holds every fact the aggregates count: nothing was changed."""

    def __init__(self, source: Source, gaps: list[str], *, archive_complete: bool) -> None:
        super().__init__("; ".join(gaps))
        self.source = source
        self.gaps = gaps
        #: Whether the archive holds every fact the aggregates count (another way out).
        self.archive_complete = archive_complete


@dataclass
class _Replay:
    """What a rebuild has taken in so far, and what its source lacked."""

    folded: FoldedFacts
    #: The facts topic: where every replayed fact came from (the archive holds what was
    #: read from it), and so where its provenance is judged.
    topic: str
    #: The facts admins applied from the review list: counted again when held again.
    applied: set[str] = field(default_factory=set[str])
    seen: set[str] = field(default_factory=set[str])
    refused: int = 0
    duplicates: int = 0
    gaps: list[str] = field(default_factory=list[str])
    #: Facts the rebuild archived (from the topic).
    archived: int = 0
    #: What the archive should say instead, once the operator accepted the source as it is:
    #: facts whose content on the topic differs, rows whose checksum no longer fits their body.
    corrections: list[ArchivedFact] = field(default_factory=list[ArchivedFact])

    def admit(self, body: bytes, received_at: Callable[[Envelope], datetime]
              ) -> DecodedEvent | None:
        """The fact in ``body`` if it is new and admitted (else counted and ``None``), judged
        as received at ``received_at(envelope)``."""
        try:
            event = registry.decode(body)
            check_provenance(event, self.topic)
            admit_only_facts(event)
        except InvalidEvent:
            self.refused += 1  # dead-lettered when it was consumed live
            return None
        if event.envelope.id in self.seen:
            self.duplicates += 1
            return None
        self.seen.add(event.envelope.id)
        outcome = fold_fact(self.folded, event, received_at(event.envelope))
        if outcome is Outcome.HELD and event.envelope.id in self.applied:
            self.folded.fold(fact_of(event), event.envelope.time.astimezone(UTC))
        return event


def _published_at(envelope: Envelope) -> datetime:
    return envelope.time.astimezone(UTC)


async def rebuild_aggregates(uow: UnitOfWorkFactory[MonitoringUnitOfWork],
                             topic: FactsTopicSource, consumer: str,
                             bounds: Bounds, *, source: Source = Source.AUTO,
                             accept_loss: bool = False) -> RebuildResult:
    async with uow() as unit:
        processed = unit.processed_facts
        archive = unit.archived_facts
        before = await processed.ids(consumer)
        archived = await archive.checksums()
        # The archive row is also the record that a fact is processed, so a lost row takes
        # that record with it: the ledger, kept apart, is what notices.
        archive_complete = (bool(archived) and before <= archived.keys()
                            and await archive.held() == await archive.recorded())
        if source is Source.AUTO:
            source = Source.ARCHIVE if archive_complete else Source.TOPIC
        aggregates = unit.aggregates
        await aggregates.clear()
        await processed.clear(consumer)
        # Read after the aggregates were deleted: a decision committed just before counts.
        replay = _Replay(FoldedFacts(bounds), topic.name,
                         await unit.review_entries.applied_ids())
        if source is Source.TOPIC:
            await _replay_topic(topic, replay, archive, before, archived)
        else:
            await _replay_archive(replay, archive, before)
        if replay.gaps and not accept_loss:
            raise SourceIncomplete(source, replay.gaps, archive_complete=archive_complete)
        if source is Source.TOPIC or replay.gaps:
            # The archive now holds what was replayed: the ledger says so again.
            await archive.correct(replay.corrections)
            await archive.realign()
        await aggregates.write(replay.folded)
        digest = await aggregates.digest()
        await unit.commit()
    return RebuildResult(source, len(replay.seen), replay.refused, replay.duplicates, digest,
                         before=len(before), archived=replay.archived,
                         accepted=tuple(replay.gaps))


async def _replay_topic(topic: FactsTopicSource, replay: _Replay, archive: FactArchive,
                        before: set[str], archived: dict[str, int]) -> None:
    """Replay the topic and archive what the archive lacks; compare the rest with it."""
    try:
        offsets: dict[int, int] | None = await topic.first_offsets()
    except LookupError:
        offsets = None
    receipts = await archive.receipts()
    if offsets is not None:
        async for messages in topic.read():
            rearchived: list[str] = []
            unarchived: list[ArchivedFact] = []
            for body, stamped_at in messages:
                def received_at(envelope: Envelope, stamped_at: datetime | None = stamped_at
                                ) -> datetime:
                    if envelope.id in archived:  # judged by what the live consumer saw
                        return receipts.get(envelope.id) or _published_at(envelope)
                    return stamped_at or _published_at(envelope)

                event = replay.admit(body, received_at)
                if event is None:
                    continue
                fact = archived_fact(event.envelope, received_at(event.envelope))
                stored = archived.get(fact.event_id)
                if stored is None:
                    unarchived.append(fact)  # archived as processed
                    continue
                rearchived.append(fact.event_id)
                if stored != fact.checksum:
                    replay.corrections.append(fact)
            await archive.mark_processed(rearchived)
            replay.archived += (await archive.add(unarchived, known_new=True)).facts
    replay.gaps = topic_gaps(topic.name, offsets, len(before), len(before - replay.seen),
                             len(replay.corrections))


async def _replay_archive(replay: _Replay, archive: FactArchive, before: set[str]) -> None:
    """Replay the archive, checking every row against its checksum and the whole against the
    ledger."""
    found = History()
    async for rows in archive.pages():
        new_ids: list[str] = []
        checksums: list[int] = []
        for row in rows:
            checksum = fact_checksum(row.body)
            checksums.append(checksum)
            received = row.received_at

            def received_at(envelope: Envelope, received: datetime | None = received
                            ) -> datetime:
                return received.replace(tzinfo=received.tzinfo or UTC) if received \
                    else _published_at(envelope)

            event = replay.admit(row.body.encode(), received_at)
            if event is not None:
                new_ids.append(row.event_id)
            if checksum != row.checksum:
                replay.corrections.append(ArchivedFact(row.event_id, row.fact_type, checksum,
                                                       row.body, row.received_at))
        found += History.of(checksums)
        await archive.mark_processed(new_ids)
    replay.gaps = archive_gaps(len(before), len(before - replay.seen), await archive.recorded(),
                               found, len(replay.corrections))
