"""The facts topic stood in for by a list of messages (the rebuild's reading seam,
``FactsTopicSource``), and monitoring's runtime on a migrated database without a broker: what
the rebuild tests need to rebuild in process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import RebuildResult, Source, rebuild_aggregates
from ankommen.shared.messaging.topics import FACTS
from ankommen.shared.runtime import ServiceRuntime


@dataclass
class ListedTopic:
    """The facts topic as a list of messages, and where each partition begins."""

    messages: list[bytes]
    offsets: dict[int, int] = field(default_factory=lambda: {0: 0, 1: 0})
    exists: bool = True
    name: str = FACTS.name
    #: When the broker stamped every message (``None``: no timestamp).
    stamped_at: datetime | None = None

    async def first_offsets(self) -> dict[int, int]:
        if not self.exists:
            raise LookupError(f"topic {self.name} does not exist")
        return dict(self.offsets)

    async def read(self) -> AsyncIterator[list[tuple[bytes, datetime | None]]]:
        for start in range(0, len(self.messages), 7):  # in batches, as fetched
            yield [(message, self.stamped_at) for message in self.messages[start:start + 7]]


@contextlib.asynccontextmanager
async def migrated(database_url: str) -> AsyncIterator[ServiceRuntime]:
    """Monitoring's runtime on a migrated database, with no broker (the county: 03358)."""
    settings = MonitoringSettings(_env_file=None, database_url=database_url,
                                  kafka_bootstrap_servers="127.0.0.1:9", county_districts="03358")
    runtime = build_runtime(settings)
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.engine.dispose()


def settings_of(runtime: ServiceRuntime) -> MonitoringSettings:
    settings = runtime.settings
    assert isinstance(settings, MonitoringSettings)
    return settings


async def rebuild(runtime: ServiceRuntime, topic: ListedTopic, source: Source = Source.AUTO,
                  accept_loss: bool = False) -> RebuildResult:
    return await rebuild_aggregates(runtime.uow, topic, runtime.group_id(PURPOSE),
                                    settings_of(runtime).bounds(), source=source,
                                    accept_loss=accept_loss)
