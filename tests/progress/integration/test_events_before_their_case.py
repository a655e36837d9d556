"""Progress parks a case event that arrives before the case's registration and applies it
when the registration comes; an erasure deletes what was parked for the case."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func, select

from ankommen.progress.adapters.tables import known_cases, parked_events
from ankommen.progress.app import build_runtime
from ankommen.progress.service.catalogue import CASE_EVENTS
from ankommen.shared.events.contracts.intake import (
    CaseErased,
    CaseRegistered,
    Survey,
    SurveyUpdated,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import registry
from ankommen.shared.runtime import ServiceRuntime
from tests.support.services import settings_for
from tests.support.surveys import survey


async def receive(runtime: ServiceRuntime, *events: EventData) -> None:
    """Each event handled as the cases consumer does, one unit of work each."""
    for data in events:
        decoded = registry.decode(registry.envelope(data, source="/ankommen/intake").to_bytes())
        async with runtime.uow() as uow:
            await CASE_EVENTS[type(data)](uow, decoded)
            await uow.commit()


async def test_a_level_update_before_the_registration_counts_and_an_erasure_forgets_it(
        databases):
    runtime = build_runtime(settings_for("progress", kafka_bootstrap_servers="127.0.0.1:1",
                                         database_url=await databases.url("progress")))
    await runtime.migrate()
    early, erased = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    try:
        await receive(runtime,
                      SurveyUpdated(pseudonym=early, changes={"german_level": "B1"}),
                      SurveyUpdated(pseudonym=erased, changes={"german_level": "A2"}))
        async with runtime.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(parked_events)) == 2
        await receive(runtime,
                      CaseRegistered(pseudonym=early, survey=Survey(**survey(german_level="A1")),
                                     registered_on=date(2026, 11, 2)),
                      CaseErased(pseudonym=erased))
        async with runtime.sessions() as session:
            level = await session.scalar(select(known_cases.c.german_level).where(
                known_cases.c.pseudonym == early))
            left = await session.scalar(select(func.count()).select_from(parked_events))
        assert level == "B1", "the update applied after the registration, as committed"
        assert left == 0, "nothing parked is left: applied, or erased with its case"
    finally:
        await runtime.engine.dispose()
