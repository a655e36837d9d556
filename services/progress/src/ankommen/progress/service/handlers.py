"""Progress's event handlers: what a case event changes here."""

from __future__ import annotations

from ankommen.progress.adapters.repository import KnownCaseRepository
from ankommen.progress.domain.participant import KnownCase
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.events.registry import DecodedEvent


async def remember_registered_case(uow: UnitOfWork, event: DecodedEvent) -> None:
    data: CaseRegistered = event.data
    await KnownCaseRepository(uow.session).add(
        KnownCase(pseudonym=data.pseudonym, registered_on=data.registered_on))
