"""The parking of events whose case has not arrived: kept in the order they came, taken out
together when the case arrives, forgotten with an erased case, given up after the retention."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, update

from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.events.contracts.intake import CaseClosed, ClosureReason, SurveyUpdated
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.parking import (
    ParkedEvents,
    parked_events_table,
    purge_parked_events,
)


def decoded(data):  # noqa: ANN001, ANN201
    return registry.decode(registry.envelope(data, source="/tests").to_bytes())


async def test_parked_events_come_back_in_order_and_go_with_an_erasure_or_the_retention(
        databases):
    metadata = MetaData()
    table = parked_events_table(metadata)
    engine = create_engine(await databases.url("parking"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    waiting, erased, stale = (secrets.token_urlsafe(24) for _ in range(3))
    updates = [decoded(SurveyUpdated(pseudonym=waiting, changes={"german_level": level}))
               for level in ("A2", "B1")]
    closed = decoded(CaseClosed(pseudonym=waiting, closed_on=datetime(2026, 11, 3).date(),
                                reason=ClosureReason.OTHER))
    try:
        async with sessions() as session, session.begin():
            parking = ParkedEvents(session, table)
            await parking.park(waiting, updates[0], "not registered")
            await parking.park(erased, decoded(SurveyUpdated(
                pseudonym=erased, changes={"german_level": "A1"})), "not registered")
            await parking.park(waiting, updates[1], "not registered")
            await parking.park(stale, decoded(SurveyUpdated(
                pseudonym=stale, changes={"german_level": "A1"})), "not registered")
            await parking.park(waiting, closed, "not registered")
            await session.execute(update(table).where(table.c.aggregate_id == stale)
                                  .values(parked_at=datetime.now(UTC) - timedelta(days=31)))
        assert await purge_parked_events(sessions, table, timedelta(days=30)) == 1
        async with sessions() as session, session.begin():
            parking = ParkedEvents(session, table)
            assert await parking.forget(erased) == 1
            taken = await parking.take([waiting, secrets.token_urlsafe(24)])
            assert [event.envelope.id for event in taken] == [
                updates[0].envelope.id, updates[1].envelope.id, closed.envelope.id]
            assert taken[1].data == updates[1].data
            assert await parking.count() == 0
    finally:
        await engine.dispose()
