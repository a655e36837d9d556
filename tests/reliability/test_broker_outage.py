"""Broker outage under load: the broker becomes unreachable for 30 s while registrations keep
arriving; every registration intake accepted — before, during and after the outage — reaches
assignment, progress and monitoring afterwards, exactly once.

Unlike ``tests/e2e/test_outbox_crash_and_broker_outage.py`` (which kills the embedded broker
and starts an empty one, a handful of requests, in-process services) the broker here stays
alive behind a TCP proxy that the test cuts and restores: every client — the four service
processes included — reaches the broker only through the proxy (the broker advertises the
proxy's address), so this is an outage as a network partition or a Kafka restart looks to the
services, with the broker's state (topics, offsets, consumer groups) kept as a real Kafka
cluster keeps it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx
import pytest
from sqlalchemy import text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.embedded import SERVICES, EmbeddedBroker, free_port
from ankommen.shared.topics import create_topics
from tests.reliability import workload
from tests.reliability.load import Load, steady
from tests.reliability.scenario import INTAKE_STAFF
from tests.reliability.stack import Stack
from tests.reliability.tcp_proxy import tcp_proxy
from tests.support.figures import record
from tests.support.polling import eventually

pytestmark = pytest.mark.timeout(420)

OUTAGE_SECONDS = 30
SECTION = "broker outage"


async def pseudonyms(engine, table: str) -> set[str]:  # noqa: ANN001
    async with engine.connect() as connection:
        return set((await connection.scalars(text(f"SELECT pseudonym FROM {table}"))).all())


async def test_registrations_accepted_while_the_broker_is_unreachable_are_all_delivered(
        sqlite_databases, tmp_path):
    broker_port, proxy_port = free_port(), free_port()
    broker = EmbeddedBroker("127.0.0.1", broker_port, log_file=tmp_path / "broker.log",
                            advertised_port=proxy_port).start()
    databases = {name: await sqlite_databases.url(name) for name in SERVICES}
    engines = {name: create_engine(url) for name, url in databases.items()}
    today = date.today()
    try:
        async with tcp_proxy("127.0.0.1", broker_port, proxy_port) as proxy:
            await create_topics(proxy.address)
            stack = Stack(proxy.address, databases, tmp_path).start()
            try:
                await stack.wait_ready()

                async def register(client, key: str):  # noqa: ANN001, ANN202
                    index = int(key.rsplit("-", 1)[1])
                    return await client.post("/cases", headers=INTAKE_STAFF,
                                             json=workload.registration(index, today))

                load = Load(stack.url("intake"), register, "case")
                async with steady(load):
                    await asyncio.sleep(5)
                    await proxy.cut()
                    cut_at = time.monotonic()
                    before = len(load.accepted())
                    async with httpx.AsyncClient() as client:
                        readiness = await eventually(
                            lambda: client.get(stack.url("intake") + "/readyz"),
                            until=lambda response: response.status_code == 503, timeout=25,
                            what="intake reports the broker unavailable")
                    assert readiness.json()["components"]["broker"] == "unavailable"
                    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
                    during = len(load.accepted()) - before
                    await proxy.restore()
                    await asyncio.sleep(5)
                accepted = {answer.body["pseudonym"] for answer in load.accepted()}
                assert not load.unexpected(), load.unexpected()[:3]
                assert during > 0

                for service, table in (("assignment", "cases"), ("progress", "known_cases")):
                    await eventually(lambda service=service, table=table: pseudonyms(
                        engines[service], table), until=lambda found: found == accepted,
                        timeout=180, interval=1.0, what=f"{service} has every accepted case")

                async def arrival_facts() -> int:
                    async with engines["monitoring"].connect() as connection:
                        return await connection.scalar(text(
                            "SELECT coalesce(sum(applied + late + unused), 0) FROM fact_intake "
                            "WHERE fact_type = 'ankommen.intake.arrival_recorded.v1'"))

                await eventually(arrival_facts, until=lambda count: count == len(accepted),
                                 timeout=120, interval=1.0, what="monitoring counted every arrival")
            finally:
                stack.stop()
    finally:
        broker.stop()
        for engine in engines.values():
            await engine.dispose()
    record(SECTION, "outage (s)", OUTAGE_SECONDS)
    record(SECTION, "registrations accepted", len(accepted))
    record(SECTION, "accepted during the outage", during)
    record(SECTION, "delivered to assignment, progress and monitoring", len(accepted))
    record(SECTION, "lost", 0)
