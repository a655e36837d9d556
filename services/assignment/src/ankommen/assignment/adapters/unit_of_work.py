"""Assignment's unit of work: the shared transaction (:class:`UnitOfWork`) with assignment's
repositories on it, so that use cases and event handlers say ``uow.placements`` and never
build a repository themselves — and a service-layer test can hand them an in-memory unit
instead (``tests/assignment/fakes.py``).

The use cases are typed against this class, not against a ``Protocol`` of ports: the fakes are
checked against the real repositories by a contract test
(``tests/assignment/integration/test_fakes_match_repositories.py``) rather than by the type
checker, and a ``Protocol`` per repository would repeat every signature a second time.

Each repository is built on the unit's session at its first use and kept for the rest of the
unit (a new session, a new set: the session is opened when the block is entered). Assignment
writes on the session only: its units read before they write (an allocation reads the whole
waiting list), so none of them hands its writes to the group writer (``uow.writes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.assignment.adapters.capacity import CapacityReports
from ankommen.assignment.adapters.catalogue import CourseRepository, CourseReviewLog
from ankommen.assignment.adapters.coordination import ManualPlacementLog
from ankommen.assignment.adapters.placements import PlacementRepository
from ankommen.assignment.adapters.repository import CaseRepository, WaitingListRepository
from ankommen.assignment.adapters.tables import parked_events
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.messaging.parking import ParkedEvents

RepositoryT = TypeVar("RepositoryT")


class AssignmentUnitOfWork(UnitOfWork):
    """``async with runtime.uow() as uow: ...; await uow.commit()`` with assignment's
    repositories; a block left without the commit writes nothing."""

    async def __aenter__(self) -> Self:
        unit = await super().__aenter__()
        self._built: dict[str, object] = {}
        return unit

    def _on_session(self, name: str, build: Callable[[AsyncSession], RepositoryT]
                    ) -> RepositoryT:
        if name not in self._built:
            self._built[name] = build(self.session)
        return cast(RepositoryT, self._built[name])

    @property
    def waiting_people(self) -> WaitingListRepository:
        """The waiting list (*Warteliste*): who waits, since when, why."""
        return self._on_session("waiting_people", WaitingListRepository)

    @property
    def cases(self) -> CaseRepository:
        """The cases intake registered here: survey, previous provider, open or closed."""
        return self._on_session("cases", CaseRepository)

    @property
    def courses(self) -> CourseRepository:
        """The catalogue, with each course's free seats."""
        return self._on_session("courses", CourseRepository)

    @property
    def course_reviews(self) -> CourseReviewLog:
        """The approval trail of the courses (append-only)."""
        return self._on_session("course_reviews", CourseReviewLog)

    @property
    def placements(self) -> PlacementRepository:
        """Placements (*Vermittlungen*) with their referral codes and explanations."""
        return self._on_session("placements", PlacementRepository)

    @property
    def manual_placements(self) -> ManualPlacementLog:
        """The audit trail of placements made by hand (append-only)."""
        return self._on_session("manual_placements", ManualPlacementLog)

    @property
    def capacity_reports(self) -> CapacityReports:
        """The seat figures last reported to monitoring, and their sequence."""
        return self._on_session("capacity_reports", CapacityReports)

    @property
    def parked_events(self) -> ParkedEvents:
        """Case events that came before their case's registration."""
        return self._on_session("parked_events",
                                lambda session: ParkedEvents(session, parked_events))

    @property
    def database(self) -> object:
        """Which database the unit works on (its engine): the key of what a process keeps per
        database beyond one transaction (the candidate index,
        :mod:`ankommen.assignment.service.placement_index`)."""
        bind = self.session.bind
        if bind is None:
            raise RuntimeError("the session is bound to no engine")
        return bind.sync_engine

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this unit's transaction has committed (never if it rolls
        back)."""
        def committed(_session: object) -> None:
            callback()

        event.listen(self.session.sync_session, "after_commit", committed, once=True)
