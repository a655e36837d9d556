"""Broker outage under load: the broker becomes unreachable for 30 s while registrations keep
arriving; every registration intake accepted — before, during and after the outage — reaches
assignment, progress and monitoring afterwards, exactly once.

Unlike ``tests/e2e/test_outbox_crash_and_broker_outage.py`` (a broker stopped and started
again, a handful of requests, in-process services) the broker here stays alive behind a TCP
proxy that the test cuts and restores: every client — the four service processes included —
reaches the broker only through the proxy (the broker advertises the proxy's address), so this
is an outage as a network partition looks to the services, with the broker's state (topics,
offsets, consumer groups, producer ids) kept.

The test needs a broker of its own that advertises the proxy's port: Apache Kafka, and — as
part of the embedded path's smoke set — Tansu. On Apache Kafka the publishing services run
their outbox relays as processes of their own (``<service> relay``, as in production), on
Tansu inside the web processes: both ways of relaying ride out the outage.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx
import pytest
from sqlalchemy import text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.messaging.topics import create_topics
from ankommen.shared.stack import SERVICES
from ankommen.tools.embedded import free_port
from tests.reliability import workload
from tests.reliability.broker_kinds import NAMES, dedicated_broker, description, service_environment
from tests.reliability.diagnosis import stuck_report
from tests.reliability.load import Load, steady
from tests.reliability.scenario import INTAKE_STAFF
from tests.reliability.stack import Stack
from tests.reliability.tcp_proxy import tcp_proxy
from tests.support.brokers import APACHE_KAFKA, wait_until_serving
from tests.support.county_day import county_today
from tests.support.figures import record
from tests.support.polling import eventually

pytestmark = [pytest.mark.timeout(420), pytest.mark.tansu]

OUTAGE_SECONDS = 30


async def pseudonyms(engine, table: str) -> set[str]:  # noqa: ANN001
    async with engine.connect() as connection:
        return set((await connection.scalars(text(f"SELECT pseudonym FROM {table}"))).all())


async def test_registrations_accepted_while_the_broker_is_unreachable_are_all_delivered(
        broker_kind, sqlite_databases, tmp_path):  # noqa: ANN001
    proxy_port = free_port()
    separate = broker_kind == APACHE_KAFKA
    databases = {name: await sqlite_databases.url(name) for name in SERVICES}
    engines = {name: create_engine(url) for name, url in databases.items()}
    today = county_today()
    try:
        with dedicated_broker(broker_kind, tmp_path, advertised_port=proxy_port) as broker_port:
            async with tcp_proxy("127.0.0.1", broker_port, proxy_port) as proxy:
                await wait_until_serving(proxy.address)
                await create_topics(proxy.address)
                during, accepted = await _outage_under_load(
                    Stack(proxy.address, databases, tmp_path, service_environment(broker_kind),
                          separate_relays=separate), proxy, engines, today)
    finally:
        for engine in engines.values():
            await engine.dispose()
    section = f"broker outage on {NAMES[broker_kind]}"
    record(section, "broker", description(broker_kind))
    record(section, "outage (s)", OUTAGE_SECONDS)
    record(section, "outbox relay", "separate processes" if separate else "in the web process")
    record(section, "registrations accepted", len(accepted))
    record(section, "accepted during the outage", during)
    record(section, "delivered to assignment, progress and monitoring", len(accepted))
    record(section, "lost", 0)


async def _outage_under_load(stack: Stack, proxy, engines, today: date  # noqa: ANN001
                             ) -> tuple[int, set[str]]:
    """Registrations before, during and after a cut of ``proxy``, each followed to its
    consumers; returns how many were accepted during the outage, and all accepted ones."""
    started = time.monotonic()
    phases: dict[str, float] = {}
    stack.start()
    try:
        await stack.wait_ready()
        phases["ready"] = time.monotonic() - started

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
                    until=lambda response: not response.json()["connected"], timeout=25,
                    what="intake reports the broker unavailable")
            # Still ready: a broker outage stops no registration (the outbox keeps them).
            assert readiness.status_code == 200
            assert readiness.json()["components"] == {"database": "ok",
                                                      "broker": "unavailable"}
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
            during = len(load.accepted()) - before
            await proxy.restore()
            phases["restored"] = time.monotonic() - started
            await asyncio.sleep(5)
        accepted = {answer.body["pseudonym"] for answer in load.accepted()}
        assert not load.unexpected(), load.unexpected()[:3]
        assert during > 0

        for service, table in (("assignment", "cases"), ("progress", "known_cases")):
            await eventually(lambda service=service, table=table: pseudonyms(
                engines[service], table), until=lambda found: found == accepted,
                timeout=180, interval=1.0, what=f"{service} has every accepted case")
            phases[service] = time.monotonic() - started

        async def arrival_facts() -> int:
            async with engines["monitoring"].connect() as connection:
                return await connection.scalar(text(
                    "SELECT coalesce(sum(applied + held + unused), 0) FROM fact_intake "
                    "WHERE fact_type = 'ankommen.intake.arrival_recorded.v1'"))

        try:
            await eventually(arrival_facts, until=lambda count: count == len(accepted),
                             timeout=120, interval=1.0,
                             what=f"monitoring counted all {len(accepted)} arrivals")
        except AssertionError as error:
            raise AssertionError(f"{error}\n" + await stuck_report(engines["intake"], {
                name: stack.folder / f"{name}.log" for name in ("intake", "monitoring")})
            ) from None
        phases["monitoring"] = time.monotonic() - started
        print(f"phases (s since start): { {name: round(at, 1) for name, at in phases.items()} }")
        return during, accepted
    finally:
        await stack.stop_aside()
