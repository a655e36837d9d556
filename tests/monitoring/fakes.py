"""In-memory stand-ins for monitoring's unit of work and repositories, so that service-layer
tests run without a database or a broker.

Each fake repository answers every method the service layer calls as the real one does on
SQLite: the same domain objects, the same order, the same refusals (a second row under a
primary key raises :class:`IntegrityError`; a fact marked processed meanwhile raises
:class:`ProcessedMeanwhile`). ``tests/monitoring/integration/test_fakes_match_repositories.py``
runs the key methods against both with the same inputs.

A unit works on a copy of the committed state and replaces it only on ``commit()``, so a test
sees exactly what a use case made durable — a refusal that raised or returned before its
commit leaves the state as it was.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import NamedTuple, Self

from sqlalchemy.exc import IntegrityError

from ankommen.monitoring.adapters.archive import PAGE_SIZE, ProcessedMeanwhile
from ankommen.monitoring.adapters.review import DecisionRecord, ReviewEntry
from ankommen.monitoring.domain.cells import (
    KEY_MODULUS,
    decode_counts,
    decode_dimensions,
    snapshot_key,
)
from ankommen.monitoring.domain.folding import Address, FoldedFacts, Held, LatestSnapshot
from ankommen.monitoring.domain.history import ArchivedFact, History
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.domain.tables import RawCell
from ankommen.shared.clock import MovableClock
from ankommen.shared.messaging.topics import FACTS


def _duplicate(table: str, key: str) -> IntegrityError:
    return IntegrityError(f"INSERT INTO {table}", {"event_id": key},
                          Exception(f"UNIQUE constraint failed: {table}.event_id"))


def _utc(moment: datetime | None) -> datetime | None:
    """What the database hands back: the same moment, in UTC."""
    return moment.astimezone(UTC) if moment is not None else None


class ArchiveRow(NamedTuple):
    """An archived fact as :meth:`FactArchive.pages` yields it."""

    event_id: str
    fact_type: str
    checksum: int
    body: str
    received_at: datetime | None


@dataclass
class State:
    """What monitoring's database holds, table by table."""

    cells: dict[Address, tuple[int, int]] = field(default_factory=dict)
    values: dict[tuple[Address, int], int] = field(default_factory=dict)
    snapshots: dict[Address, LatestSnapshot] = field(default_factory=dict)
    #: fact type → applied, held, unused, newest publication taken in
    intake: dict[str, tuple[int, int, int, datetime | None]] = field(default_factory=dict)
    review: dict[str, Held] = field(default_factory=dict)
    decisions: dict[str, DecisionRecord] = field(default_factory=dict)
    #: event id → the archived fact and whether it is processed
    archive: dict[str, tuple[ArchivedFact, bool]] = field(default_factory=dict)
    ledger: dict[str, History] = field(default_factory=dict)
    #: (consumer, event id): inbox rows from before the archive existed
    inbox: set[tuple[str, str]] = field(default_factory=set)


class FakeAggregates:
    def __init__(self, state: State) -> None:
        self._state = state

    async def write(self, folded: FoldedFacts) -> None:
        state = self._state
        for event_id in folded.held:
            if event_id in state.review:
                raise _duplicate("fact_review", event_id)
        for address, (n, key_sum) in folded.cells.items():
            stored_n, stored_sum = state.cells.get(address, (0, 0))
            state.cells[address] = (stored_n + n, (stored_sum + key_sum) % KEY_MODULUS)
        for key, count in folded.values.items():
            state.values[key] = state.values.get(key, 0) + count
        for address, latest in folded.snapshots.items():
            stored = state.snapshots.get(address)
            if stored is None or stored.order < latest.order:
                state.snapshots[address] = latest
        for fact_type, intake in folded.intake.items():
            applied, held, unused, newest = state.intake.get(fact_type, (0, 0, 0, None))
            incoming = _utc(intake.last_published_at)
            latest = max((moment for moment in (newest, incoming) if moment is not None),
                         default=None)
            state.intake[fact_type] = (applied + intake.applied, held + intake.held,
                                       unused + intake.unused, latest)
        state.review.update(folded.held)

    async def cells_of(self, measure: str, first_month: str, last_month: str,
                       district: str | None = None) -> list[RawCell]:
        def wanted(address: Address) -> bool:
            return (address[0] == measure and first_month <= address[1] <= last_month
                    and (district is None or address[2] == district))

        values: dict[Address, dict[int, int]] = {}
        for (address, value), count in self._state.values.items():
            if wanted(address):
                values.setdefault(address, {})[value] = count
        raw = [RawCell(address[1], address[2], decode_dimensions(address[3]), n, key_sum,
                       values.get(address, {}))
               for address, (n, key_sum) in self._state.cells.items() if wanted(address)]
        return raw + [RawCell(address[1], address[2],
                              {**decode_dimensions(address[3]), **counted_by}, count,
                              snapshot_key(latest.key, position))
                      for address, latest in self._state.snapshots.items() if wanted(address)
                      for position, (counted_by, count) in enumerate(
                          decode_counts(latest.counts))]

    async def months(self) -> list[str]:
        return sorted({address[1] for address in [*self._state.cells, *self._state.snapshots]})

    async def districts(self) -> list[str]:
        return sorted({address[2] for address in [*self._state.cells, *self._state.snapshots]})

    async def intake(self) -> list[tuple[str, int, int, int, datetime | None]]:
        return [(fact_type, *figures) for fact_type, figures in sorted(self._state.intake.items())]

    async def clear(self) -> None:
        for table in (self._state.cells, self._state.values, self._state.snapshots,
                      self._state.intake, self._state.review):
            table.clear()

    async def digest(self) -> str:
        """A canonical hash of the aggregates (not the real one's: equal states, equal
        digests)."""
        state = self._state
        text = repr([sorted(state.cells.items()), sorted(state.values.items()),
                     sorted((address, repr(latest)) for address, latest in state.snapshots.items()),
                     sorted(state.intake.items()),
                     sorted((key, repr(held)) for key, held in state.review.items())])
        return hashlib.sha256(text.encode()).hexdigest()


class FakeFactArchive:
    def __init__(self, state: State, topic: str) -> None:
        self._state = state
        self._topic = topic

    async def add(self, facts: Sequence[ArchivedFact], *, known_new: bool = False) -> History:
        if not known_new:
            facts = [fact for fact in facts if fact.event_id not in self._state.archive]
        if not facts:
            return History()
        for fact in facts:
            if fact.event_id in self._state.archive:
                raise _duplicate("fact_archive", fact.event_id)
            self._state.archive[fact.event_id] = (fact, True)
        added = History.of(fact.checksum for fact in facts)
        self._state.ledger[self._topic] = self._state.ledger.get(self._topic, History()) + added
        return added

    async def processed_of(self, event_ids: Sequence[str]) -> dict[str, bool]:
        return {event_id: self._state.archive[event_id][1] for event_id in event_ids
                if event_id in self._state.archive}

    async def mark_processed(self, event_ids: Sequence[str], *, found_unmarked: bool = False
                             ) -> None:
        marked = 0
        for event_id in dict.fromkeys(event_ids):
            stored = self._state.archive.get(event_id)
            if stored is None or (found_unmarked and stored[1]):
                continue
            self._state.archive[event_id] = (stored[0], True)
            marked += 1
        if found_unmarked and marked != len(event_ids):
            raise ProcessedMeanwhile(f"{len(event_ids) - marked} facts were marked processed "
                                     "by another transaction")

    async def recorded(self) -> History:
        return self._state.ledger.get(self._topic, History())

    async def realign(self) -> History:
        self._state.ledger[self._topic] = history = await self.held()
        return history

    async def held(self) -> History:
        return History.of(fact.checksum for fact, _ in self._state.archive.values())

    async def correct(self, facts: Sequence[ArchivedFact]) -> None:
        for fact in facts:
            stored = self._state.archive.get(fact.event_id)
            if stored is not None:
                old, processed = stored
                self._state.archive[fact.event_id] = (ArchivedFact(
                    fact.event_id, fact.fact_type, fact.checksum, fact.body, old.received_at),
                    processed)

    async def checksums(self) -> dict[str, int]:
        return {event_id: fact.checksum for event_id, (fact, _) in self._state.archive.items()}

    async def receipts(self) -> dict[str, datetime]:
        return {event_id: fact.received_at.astimezone(UTC)
                for event_id, (fact, _) in self._state.archive.items()
                if fact.received_at is not None}

    async def body(self, event_id: str) -> tuple[str, datetime | None] | None:
        stored = self._state.archive.get(event_id)
        return None if stored is None else (stored[0].body, _utc(stored[0].received_at))

    async def count(self) -> int:
        return len(self._state.archive)

    async def pages(self, size: int = PAGE_SIZE) -> AsyncIterator[list[ArchiveRow]]:
        # The receipt as SQLite hands it back here: in UTC, without a zone.
        rows = [ArchiveRow(fact.event_id, fact.fact_type, fact.checksum, fact.body,
                           fact.received_at.astimezone(UTC).replace(tzinfo=None)
                           if fact.received_at else None)
                for _, (fact, _) in sorted(self._state.archive.items())]
        for start in range(0, len(rows), size):
            yield rows[start:start + size]


class FakeProcessedFacts:
    def __init__(self, state: State) -> None:
        self._state = state

    async def ids(self, consumer: str) -> set[str]:
        return ({event_id for event_id, (_, processed) in self._state.archive.items()
                 if processed}
                | {event_id for owner, event_id in self._state.inbox if owner == consumer})

    async def legacy(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        return {event_id for event_id in event_ids if (consumer, event_id) in self._state.inbox}

    async def clear(self, consumer: str) -> None:
        self._state.inbox = {row for row in self._state.inbox if row[0] != consumer}
        self._state.archive = {event_id: (fact, False)
                               for event_id, (fact, _) in self._state.archive.items()}


class FakeReviewList:
    def __init__(self, state: State) -> None:
        self._state = state

    def _entry(self, event_id: str) -> ReviewEntry:
        held = self._state.review[event_id]
        archived = self._state.archive.get(event_id)
        decided = self._state.decisions.get(event_id)
        return ReviewEntry(event_id, held.fact_type, held.reason.value, held.month,
                           held.district, archived[0].body if archived else None,
                           _utc(archived[0].received_at) if archived else None,
                           decided.decision if decided else None)

    def _undecided(self) -> list[str]:
        return [event_id for event_id in self._state.review
                if event_id not in self._state.decisions]

    async def pending_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event_id in self._undecided():
            reason = self._state.review[event_id].reason.value
            counts[reason] = counts.get(reason, 0) + 1
        return counts

    async def pending(self, reason: str | None, month: str | None, limit: int
                      ) -> list[ReviewEntry]:
        # By month (SQLite sorts a missing month first), then event id.
        selected = sorted(
            (self._state.review[event_id].month or "", event_id)
            for event_id in self._undecided()
            if (reason is None or self._state.review[event_id].reason.value == reason)
            and (month is None or self._state.review[event_id].month == month))
        return [self._entry(event_id) for _, event_id in selected[:limit]]

    async def entries(self, event_ids: Sequence[str]) -> dict[str, ReviewEntry]:
        return {event_id: self._entry(event_id) for event_id in event_ids
                if event_id in self._state.review}

    async def record(self, decisions: Sequence[DecisionRecord]) -> None:
        for record in decisions:
            if record.event_id in self._state.decisions:
                raise _duplicate("review_decisions", record.event_id)
            self._state.decisions[record.event_id] = DecisionRecord(
                record.event_id, record.decision, record.reason, record.month,
                record.decided_by, record.decided_at.astimezone(UTC))

    async def applied_ids(self) -> set[str]:
        return {event_id for event_id, record in self._state.decisions.items()
                if record.decision is Decision.APPLIED}

    async def applied(self) -> list[tuple[str | None, datetime]]:
        return [(record.month, record.decided_at) for record in self._state.decisions.values()
                if record.decision is Decision.APPLIED]

    async def decisions(self, limit: int) -> list[DecisionRecord]:
        newest_first = sorted(self._state.decisions.values(),
                              key=lambda record: (-record.decided_at.timestamp(),
                                                  record.event_id))
        return newest_first[:limit]


class FakeDatabase:
    """The committed state, and how often a unit committed."""

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0
        self.clock = MovableClock()

    def __call__(self) -> FakeUnitOfWork:
        """A new unit, as ``runtime.uow()`` gives one."""
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    """``MonitoringUnitOfWork`` as the service layer uses it: the four repositories,
    ``commit``, and the service's clock."""

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self.clock = database.clock
        #: The unit's working copy of the state (what its transaction sees).
        self.state = State()

    async def __aenter__(self) -> Self:
        self.state = copy.deepcopy(self._database.state)
        self.aggregates = FakeAggregates(self.state)
        self.archived_facts = FakeFactArchive(self.state, FACTS.name)
        self.processed_facts = FakeProcessedFacts(self.state)
        self.review_entries = FakeReviewList(self.state)
        return self

    async def commit(self) -> None:
        self._database.state = copy.deepcopy(self.state)
        self._database.commits += 1

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        """What was not committed is gone (a rollback)."""
