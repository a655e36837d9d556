"""Upgrading to revision 0007 leaves no exact receipt time behind (issue 15): the receipt times
archived before, and the facts consumer's inbox times, are cut to their day (UTC), as they are
kept from then on — on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from ankommen.monitoring.adapters.repository import as_utc
from ankommen.monitoring.adapters.tables import fact_archive, messaging
from ankommen.shared.db.migrations import upgrade

MIGRATIONS = "ankommen.monitoring:migrations"
MOMENT = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC)


async def test_receipt_and_inbox_times_archived_before_become_days(databases):
    engine = create_async_engine(await databases.url("monitoring"))
    try:
        await upgrade(engine, MIGRATIONS, "0006")
        async with engine.begin() as connection:
            await connection.execute(insert(fact_archive).values(
                event_id="e-1", fact_type="t", checksum=1, body="{}", received_at=MOMENT))
            await connection.execute(insert(fact_archive).values(
                event_id="e-2", fact_type="t", checksum=2, body="{}", received_at=None))
            await connection.execute(insert(messaging.inbox).values(
                consumer="ankommen.monitoring.facts", event_id="e-1", processed_at=MOMENT))
        # Revision 0008 then drops the inbox rows of archived facts (test_archive_is_the_inbox).
        await upgrade(engine, MIGRATIONS, "0007")
        async with engine.connect() as connection:
            received = dict((await connection.execute(
                select(fact_archive.c.event_id.label("event_id"),
                       fact_archive.c.received_at.label("received_at")))).all())
            processed = await connection.scalar(select(messaging.inbox.c.processed_at))
    finally:
        await engine.dispose()
    day = datetime(2026, 11, 30, tzinfo=UTC)
    assert as_utc(received["e-1"]) == day
    assert received["e-2"] is None
    assert as_utc(processed) == day
