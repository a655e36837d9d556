"""Monitoring's fact handlers: each fact updates an aggregate and is then forgotten."""

from __future__ import annotations

from ankommen.monitoring.adapters.repository import ArrivalCounts
from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.facts import ArrivalFact
from ankommen.shared.events.registry import DecodedEvent


async def count_arrival(uow: UnitOfWork, event: DecodedEvent) -> None:
    fact: ArrivalFact = event.data
    await ArrivalCounts(uow.session).increment(fact.month, fact.district, fact.german_level)
