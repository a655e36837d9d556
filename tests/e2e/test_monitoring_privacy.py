"""Monitoring's database and everything it publishes hold no pseudonym: registrations at
intake reach monitoring only as de-identified facts."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

from ankommen.monitoring.adapters.tables import metadata
from ankommen.shared.identity.auth import Role
from tests.support.clock import MovableClock, this_month, when_published
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.statistics import every_table
from tests.support.surveys import registration


async def test_monitoring_database_and_publications_contain_no_pseudonym(kafka, databases):
    async with contextlib.AsyncExitStack() as stack:
        intake = await stack.enter_async_context(in_process(
            "intake", bootstrap=kafka.bootstrap_servers,
            database_url=await databases.url("intake")))
        clock = MovableClock()
        monitoring = await stack.enter_async_context(in_process(
            "monitoring", bootstrap=kafka.bootstrap_servers,
            database_url=await databases.url("monitoring"), clock=clock))
        pseudonyms = []
        for level in ("A0", "A1", "A1", "B1", "B1", "B1"):
            response = await intake.client.post("/cases", json=registration(german_level=level),
                                                headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201, response.text
            pseudonyms.append(response.json()["pseudonym"])

        async def processed() -> int:
            status = (await monitoring.client.get("/status", headers=token(Role.ADMIN))).json()
            return sum(row["applied"] for row in status["by_type"]
                       if row["type"] == "ankommen.intake.arrival_recorded.v1")

        await eventually(processed, until=lambda n: n == len(pseudonyms), timeout=60,
                         what="monitoring processed every arrival fact")

        # Their month closes: its tables are published.
        clock.set(when_published(this_month()))
        published = []
        catalogue = (await monitoring.client.get("/statistics")).json()
        for path in ("/", "/report", "/statistics", "/statistics/key-figures",
                     *every_table(catalogue)):
            response = await monitoring.client.get(path)
            assert response.status_code == 200, path
            published.append(response.text)
        status = await monitoring.client.get("/status", headers=token(Role.ADMIN))
        published.append(status.text)
        async with monitoring.runtime.sessions() as session:
            stored = [repr(tuple(row)) for table in metadata.sorted_tables
                      for row in (await session.execute(select(table))).all()]

    assert stored and all(published)
    for pseudonym in pseudonyms:
        assert not any(pseudonym in text for text in published)
        assert not any(pseudonym in row for row in stored)
