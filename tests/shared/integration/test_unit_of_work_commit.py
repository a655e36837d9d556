"""A service's unit of work commits only when told (issue 22 item 1): work left without
``await uow.commit()`` — an early return, a refusal, an exception — is rolled back with its
outbox rows, and the relay is not woken; what was committed stays even if the block fails
later. On real SQLite and PostgreSQL, with and without the group writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.db.group_commit import GroupWriter
from ankommen.shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.messaging.tables import messaging_tables
from tests.support.databases import DatabaseFactory
from tests.support.surveys import survey

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))
messaging = messaging_tables(metadata)


class NotesUnit(UnitOfWork):
    """A service's own unit, as the services declare theirs."""



class Refused(Exception):
    pass


@pytest.fixture(params=["session", "group writer"])
async def units(request: pytest.FixtureRequest, databases: DatabaseFactory
                ) -> AsyncIterator[tuple[AsyncEngine, UnitOfWorkFactory[NotesUnit], list[int]]]:
    engine = create_engine(await databases.url("explicitcommit"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    writer = GroupWriter.for_engine(engine) if request.param == "group writer" else None
    factory = UnitOfWorkFactory(session_factory(engine), messaging, "/ankommen/intake",
                                writer=writer, unit_type=NotesUnit)
    woken: list[int] = []
    factory.on_commit_with_events(lambda: woken.append(1))
    yield engine, factory, woken
    if writer is not None:
        await writer.close()
    await engine.dispose()


async def write_note(uow: NotesUnit, number: int) -> None:
    pseudonym = f"pseudonym-{number:08d}"
    await uow.publish(CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey()),
                                     registered_on=date(2026, 11, 3)), key=pseudonym)
    await uow.writes.execute(insert(notes), {"id": number, "text": "x"})


async def stored(engine: AsyncEngine) -> tuple[list[int], list[str]]:
    async with engine.connect() as connection:
        ids = (await connection.execute(select(notes.c.id).order_by(notes.c.id))).scalars()
        keys = (await connection.execute(select(messaging.outbox.c.aggregate_id)
                                         .order_by(messaging.outbox.c.id))).scalars()
        return list(ids), list(keys)


async def test_work_without_commit_is_rolled_back_with_its_events(units):
    engine, factory, woken = units
    async with factory() as uow:
        await write_note(uow, 1)  # and the block ends without a commit
    assert await stored(engine) == ([], [])
    assert woken == []


async def test_committed_work_is_stored_with_its_events_and_wakes_the_relay_once(units):
    engine, factory, woken = units
    async with factory() as uow:
        await write_note(uow, 1)
        await write_note(uow, 2)
        await uow.commit()
    assert await stored(engine) == ([1, 2], ["pseudonym-00000001", "pseudonym-00000002"])
    assert woken == [1]


async def test_a_refusal_after_a_commit_keeps_the_committed_work_only(units):
    engine, factory, woken = units
    with pytest.raises(Refused):
        async with factory() as uow:
            await write_note(uow, 1)
            await uow.commit()
            await write_note(uow, 2)
            raise Refused
    assert await stored(engine) == ([1], ["pseudonym-00000001"])
    assert woken == [1]


async def test_a_second_commit_stores_the_work_done_after_the_first(units):
    engine, factory, woken = units
    async with factory() as uow:
        await write_note(uow, 1)
        await uow.commit()
        await write_note(uow, 2)
        await uow.commit()
    assert await stored(engine) == ([1, 2], ["pseudonym-00000001", "pseudonym-00000002"])
    assert woken == [1, 1]
