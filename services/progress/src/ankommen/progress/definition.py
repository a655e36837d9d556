"""Progress's definition, apart from its composition root: ``ankommen-progress relay``
builds its runtime from it without importing the web app."""

from __future__ import annotations

from ankommen.progress.adapters.tables import messaging, metadata
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.shared.messaging.topics import FACTS, PARTICIPATION, PROVIDER_REJECTIONS
from ankommen.shared.runtime import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="progress",
    title="ankommen progress tracking",
    description="Owns what course providers report and validates each report against its "
                "placement.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.progress:migrations",
    publishes=(PARTICIPATION, PROVIDER_REJECTIONS, FACTS),
    unit_of_work=ProgressUnitOfWork,
)
