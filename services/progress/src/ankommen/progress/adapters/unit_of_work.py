"""Progress's unit of work: the shared transaction (:mod:`ankommen.shared.db.unit_of_work`)
owning the service's repositories, so that use cases ask ``uow.reports`` instead of building a
repository on a session, and a test hands them in-memory fakes (``tests/progress/fakes.py``).

Progress's use cases read what they write on the unit's own session (a batch of reports is
checked against the reports before it, a placement's insert reads the case's level), so every
repository is built on ``session``; none goes through the group writer (``writes``) or
SQLite's one-hop reads (``reads``).

It commits only when told: a use case ends its work with
``await uow.commit()``; the shared consumers commit the event handlers' work with the inbox row.

The service layer is typed against this class, not a ``Protocol`` of ports: there is one
implementation, a protocol would repeat every repository signature a second time, and the
in-memory fakes are held to the real repositories' answers by a test
(``tests/progress/integration/test_fakes_match_repositories.py``), which a protocol could not
do (it checks signatures, not behaviour).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.progress.adapters.refused_reports import RefusedReportRepository
from ankommen.progress.adapters.repository import (
    CatalogueRepository,
    ErasureRepository,
    KnownCaseRepository,
    ReportRepository,
)
from ankommen.progress.adapters.tables import parked_events
from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ankommen.shared.messaging.parking import ParkedEvents

RepositoryT = TypeVar("RepositoryT")


class ProgressUnitOfWork(UnitOfWork):
    """One transaction of progress with its repositories, each built once per unit on the
    session opened when the unit is entered."""

    _built: dict[str, object]

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        # Repositories of an earlier ``async with`` hold that block's (closed) session.
        self._built = {}
        return self

    def _once(self, name: str, build: Callable[[AsyncSession], RepositoryT]) -> RepositoryT:
        if name not in self._built:
            self._built[name] = build(self.session)
        return cast(RepositoryT, self._built[name])

    @property
    def cases(self) -> KnownCaseRepository:
        """The cases registered at intake, as far as progress needs them (their level)."""
        return self._once("cases", KnownCaseRepository)

    @property
    def catalogue(self) -> CatalogueRepository:
        """Courses and placements as assignment announced them."""
        return self._once("catalogue", CatalogueRepository)

    @property
    def reports(self) -> ReportRepository:
        """The append-only history of the providers' reports."""
        return self._once("reports", ReportRepository)

    @property
    def pseudonyms(self) -> ErasureRepository:
        """A pseudonym across every table holding one: erased or merged into another."""
        return self._once("pseudonyms", ErasureRepository)

    @property
    def refused_reports(self) -> RefusedReportRepository:
        """Refused reports kept for the providers' page of refusals."""
        return self._once("refused_reports", RefusedReportRepository)

    @property
    def parked_events(self) -> ParkedEvents:
        """Case events waiting for their case's registration."""
        return self._once("parked_events",
                          lambda session: ParkedEvents(session, parked_events))


#: What builds progress's units (``runtime.uow``): handed to the use cases that open one unit
#: per batch.
ProgressUnits = UnitOfWorkFactory[ProgressUnitOfWork]
