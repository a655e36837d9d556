"""Intake's definition, apart from its composition root: ``ankommen-intake relay``
builds its runtime from it without importing the web app."""

from __future__ import annotations

from ankommen.intake.adapters.tables import messaging, metadata
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.shared.messaging.topics import CASES, FACTS
from ankommen.shared.runtime import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="intake",
    title="ankommen intake",
    description="Records arrivals and the language & education survey once; keeps identity "
                "encrypted; finds existing cases instead of creating a second one; issues "
                "the case pseudonym; publishes case events and de-identified facts.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.intake:migrations",
    publishes=(CASES, FACTS),
    unit_of_work=IntakeUnitOfWork,
)
