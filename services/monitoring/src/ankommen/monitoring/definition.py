"""Monitoring's definition, apart from its composition root: ``ankommen-monitoring relay``
builds its runtime from it without importing the web app."""

from __future__ import annotations

from ankommen.monitoring.adapters.tables import messaging, metadata
from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.shared.runtime import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="monitoring",
    title="ankommen monitoring",
    description="Owns only anonymous aggregates built from de-identified facts; publishes "
                "them under statistical disclosure control.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.monitoring:migrations",
    unit_of_work=MonitoringUnitOfWork,
)
