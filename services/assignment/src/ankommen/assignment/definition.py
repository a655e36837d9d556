"""Assignment's definition, apart from its composition root: ``ankommen-assignment relay``
builds its runtime from it without importing the web app."""

from __future__ import annotations

from ankommen.assignment.adapters.tables import messaging, metadata
from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.shared.messaging.topics import COURSES, FACTS, PLACEMENTS
from ankommen.shared.runtime import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="assignment",
    title="ankommen course assignment",
    description="Owns the course catalogue, placements and waiting lists; matches people to "
                "courses.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.assignment:migrations",
    publishes=(COURSES, PLACEMENTS, FACTS),
    unit_of_work=AssignmentUnitOfWork,
)
