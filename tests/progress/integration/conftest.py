"""Progress's units of work on a migrated SQLite database, without the rest of the service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from ankommen.progress.adapters.tables import messaging
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork, ProgressUnits
from ankommen.shared.clock import MovableClock
from ankommen.shared.db.engine import create_engine
from ankommen.shared.db.migrations import upgrade
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.provenance import service_source

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
async def progress_units(sqlite_databases) -> AsyncIterator[ProgressUnits]:  # noqa: ANN001
    engine = create_engine(await sqlite_databases.url("progress"))
    await upgrade(engine, "ankommen.progress:migrations")
    try:
        yield UnitOfWorkFactory(async_sessionmaker(engine, expire_on_commit=False), messaging,
                                service_source("progress"), MovableClock(NOW),
                                unit_type=ProgressUnitOfWork)
    finally:
        await engine.dispose()
