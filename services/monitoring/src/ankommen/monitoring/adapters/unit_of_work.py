"""Monitoring's unit of work: the shared transaction plus the repositories monitoring stores
its data in, so that use cases reach them as ``uow.aggregates`` … and never build one on a
session themselves (a service-layer test hands them in-memory fakes instead).

Each repository is built once per unit, on the session the unit opened in ``__aenter__``
(a unit reused for a second block gets new ones on its new session). Monitoring has no group
writer and no one-hop reads: its one writer is the facts consumer, which reads before it
writes, so every repository works on the session.

The service layer is typed against this class, not a ``Protocol`` of its own: monitoring has
one unit and four repositories, the type checker then follows every call into the real
queries, and the in-memory fakes (``tests/monitoring/fakes.py``) stand in by shape — a
contract test keeps their answers equal to these repositories'.
"""

from __future__ import annotations

from typing import Self

from ankommen.monitoring.adapters.archive import FactArchive, ProcessedFacts
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.adapters.review import ReviewList
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.messaging.topics import FACTS


class MonitoringUnitOfWork(UnitOfWork):
    """``async with runtime.uow() as uow: ...; await uow.commit()``."""

    _aggregates: Aggregates | None = None
    _archived_facts: FactArchive | None = None
    _processed_facts: ProcessedFacts | None = None
    _review_entries: ReviewList | None = None

    async def __aenter__(self) -> Self:
        unit = await super().__aenter__()
        self._aggregates = self._archived_facts = None
        self._processed_facts = self._review_entries = None
        return unit

    @property
    def aggregates(self) -> Aggregates:
        """The counts, values, snapshots and intake figures the published tables are
        computed from."""
        if self._aggregates is None:
            self._aggregates = Aggregates(self.session)
        return self._aggregates

    @property
    def archived_facts(self) -> FactArchive:
        """Every fact received from the facts topic, and its ledger (the consumer's inbox)."""
        if self._archived_facts is None:
            self._archived_facts = FactArchive(self.session, FACTS.name)
        return self._archived_facts

    @property
    def processed_facts(self) -> ProcessedFacts:
        """Which facts the aggregates count (the archive's marks, older inbox rows)."""
        if self._processed_facts is None:
            self._processed_facts = ProcessedFacts(self.session, self.tables.inbox)
        return self._processed_facts

    @property
    def review_entries(self) -> ReviewList:
        """The facts held for review instead of counted, and the admins' decisions on them."""
        if self._review_entries is None:
            self._review_entries = ReviewList(self.session)
        return self._review_entries
