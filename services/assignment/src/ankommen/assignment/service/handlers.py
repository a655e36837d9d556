"""Assignment's event handlers: what a case event changes here."""

from __future__ import annotations

from ankommen.assignment.adapters.repository import WaitingListRepository
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.events.registry import DecodedEvent


async def put_registered_case_on_waiting_list(uow: UnitOfWork, event: DecodedEvent) -> None:
    """A newly registered case waits for a fitting course from the day of registration."""
    data: CaseRegistered = event.data
    await WaitingListRepository(uow.session).add(WaitingPerson(
        pseudonym=data.pseudonym, region_key=data.survey.region_key,
        german_level=data.survey.german_level,
        waiting_since=data.registered_on))
