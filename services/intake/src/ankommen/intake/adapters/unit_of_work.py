"""Intake's unit of work: one transaction that owns intake's repositories.

The use cases reach every store through it (``uow.cases``, ``uow.identities`` …) and never
build a repository themselves, so a test can hand them an in-memory unit instead
(``tests/intake/fakes.py``). It commits only when told: a use
case ends its work with ``await uow.commit()``, and a refusal, raised before that, writes
nothing.

Each repository is built once per unit, on the session the unit opened. Two handles besides
the session keep their purpose (:mod:`ankommen.shared.db.unit_of_work`):

- :attr:`IntakeUnitOfWork.inserts` — a registration's new rows, handed to the group writer
  (``uow.writes``) and written with other registrations' at the unit's commit;
- :attr:`IntakeUnitOfWork.identity_reads` — the duplicate check's queries before the first
  write, on SQLite one hand-off each (``uow.reads``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.intake.adapters.audit import AuditLog
from ankommen.intake.adapters.courses import CourseRepository
from ankommen.intake.adapters.duplicates import DuplicateRepository
from ankommen.intake.adapters.identity_store import IdentityStore
from ankommen.intake.adapters.placements import ProviderPlacementRepository
from ankommen.intake.adapters.repository import CaseRepository
from ankommen.shared.db.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class NewCaseRows:
    """The stores a new case's rows go to, all on one insert-only handle (the group writer's
    collection, or the session where there is no writer)."""

    handle: AsyncSession
    cases: CaseRepository
    identities: IdentityStore
    suspicions: DuplicateRepository
    audit_entries: AuditLog


class IntakeUnitOfWork(UnitOfWork):
    """``async with runtime.uow() as uow: ...; await uow.commit()``."""

    async def __aenter__(self) -> Self:
        unit = await super().__aenter__()
        # Built on this unit's session, once: a repository kept from an earlier block would
        # write into a transaction that has ended.
        for name in _BUILT_ONCE:
            self.__dict__.pop(name, None)
        self._inserts: NewCaseRows | None = None
        return unit

    @cached_property
    def cases(self) -> CaseRepository:
        return CaseRepository(self.session)

    @cached_property
    def identities(self) -> IdentityStore:
        """Sealed identities, data keys, aliases and blind indexes."""
        return IdentityStore(self.session)

    @cached_property
    def identity_reads(self) -> IdentityStore:
        """The identity store on ``uow.reads``: only for queries before the unit's first
        write (they do not see the unit's own writes)."""
        return IdentityStore(self.reads)

    @cached_property
    def suspicions(self) -> DuplicateRepository:
        """Suspected duplicates and their resolutions."""
        return DuplicateRepository(self.session)

    @cached_property
    def placements(self) -> ProviderPlacementRepository:
        """Placements with providers as assignment and progress announce them."""
        return ProviderPlacementRepository(self.session, self.clock)

    @cached_property
    def courses(self) -> CourseRepository:
        """Assignment's courses as intake keeps them."""
        return CourseRepository(self.session, self.clock)

    @cached_property
    def audit_entries(self) -> AuditLog:
        """The audit log: who read or changed which case, when and why."""
        return AuditLog(self.session, self.clock)

    @property
    def inserts(self) -> NewCaseRows:
        """A new case's stores on ``uow.writes``: its rows are written at the unit's commit,
        in the group writer's next group. Rebuilt when the handle changes (a commit hands
        the collected writes over and the next write starts a new collection)."""
        handle = self.writes
        if self._inserts is None or self._inserts.handle is not handle:
            self._inserts = NewCaseRows(handle, CaseRepository(handle), IdentityStore(handle),
                                        DuplicateRepository(handle),
                                        AuditLog(handle, self.clock))
        return self._inserts


#: The repositories built on the session once per unit (:class:`functools.cached_property`).
_BUILT_ONCE = ("cases", "identities", "identity_reads", "suspicions", "placements", "courses",
               "audit_entries")
