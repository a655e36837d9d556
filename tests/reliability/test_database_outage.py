"""Database outage under load: PostgreSQL becomes unreachable (a TCP proxy in front of
127.0.0.1:5432 is cut — the real server keeps running for everyone else) while every
service's API is being written to.

During the outage each API answers 503 with ``Retry-After`` and a problem body that says
nothing about the request, and ``/readyz`` reports the database unavailable. Afterwards —
without restarting anything — the services answer 2xx again, and nothing is half-written:
every accepted request has its complete effect (row and outbox event, and downstream the
consumers' copies), every 503 has none, and no consumer dead-lettered a message because the
database was away. Monitoring has no write API: its read API and its consumer are checked.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ankommen.shared.db.engine import create_engine
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import TOPICS
from ankommen.shared.stack import SERVICES
from tests.reliability import workload
from tests.reliability.load import Load, steady
from tests.reliability.scenario import COORDINATOR, INTAKE_STAFF
from tests.reliability.stack import Stack
from tests.reliability.tcp_proxy import tcp_proxy
from tests.support.county_day import county_today
from tests.support.databases import POSTGRES_URL, DatabaseFactory
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import token

pytestmark = [pytest.mark.timeout(420), pytest.mark.postgres,
              pytest.mark.skipif(not POSTGRES_URL, reason="ANKOMMEN_TEST_POSTGRES_URL is not set")]

OUTAGE_SECONDS = 15
SETUP_CASES = 20
PROVIDER = token(Role.PROVIDER, workload.PROVIDER)
ADMIN = token(Role.ADMIN)
SECTION = "database outage"


def through(proxy_port: int, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy_port).render_as_string(
        hide_password=False)


async def scalar_set(engine, query: str) -> set:  # noqa: ANN001
    async with engine.connect() as connection:
        return {str(value) for value in (await connection.scalars(text(query))).all()}


async def dead_letter_count(bootstrap: str) -> int:
    consumer = AIOKafkaConsumer(*(topic.dead_letter for topic in TOPICS),
                                bootstrap_servers=bootstrap, group_id=uuid.uuid4().hex,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        return sum(len(records) for records in
                   (await consumer.getmany(timeout_ms=2000)).values())
    finally:
        await consumer.stop()


async def test_unreachable_database_answers_503_half_writes_nothing_and_recovers(
        kafka, tmp_path):
    factory = DatabaseFactory("postgres", tmp_path)
    real = {name: await factory.url(name) for name in SERVICES}
    engines = {name: create_engine(url) for name, url in real.items()}
    today = county_today()
    starts = workload.course_starts(today)
    try:
        async with tcp_proxy("127.0.0.1", make_url(POSTGRES_URL).port or 5432) as proxy:
            stack = Stack(kafka.bootstrap_servers,
                          {name: through(proxy.port, url) for name, url in real.items()},
                          tmp_path).start()
            try:
                await stack.wait_ready()
                pids = {name: service.process.pid for name, service in stack.services.items()}
                codes = await _placed_and_enrolled(stack, engines, today)

                def register(client, key):  # noqa: ANN001, ANN202
                    index = 1000 + int(key.rsplit("-", 1)[1])
                    return client.post("/cases", headers=INTAKE_STAFF,
                                       json=workload.registration(index, today))

                def publish_course(client, key):  # noqa: ANN001, ANN202
                    body = {**workload.course_body(workload.DISTRICTS[0], today),
                            "course_id": key, "capacity": 5}
                    return client.post("/courses", headers=COORDINATOR, json=body)

                def report(client, key):  # noqa: ANN001, ANN202
                    number = int(key.rsplit("-", 1)[1])
                    # A day of its own per report and participant: attendance periods of one
                    # participation may not overlap. 28 days × the codes are room for far
                    # more reports than the load sends (about 300).
                    day = (starts + timedelta(days=2 + number // len(codes) % 28)).isoformat()
                    return client.post("/reports", headers=PROVIDER, json={
                        "kind": "attendance", "report_id": key,
                        "referral_code": codes[number % len(codes)], "period_start": day,
                        "period_end": day, "hours_attended": 0.5, "hours_planned": 1.0})

                def statistics(client, key):  # noqa: ANN001, ANN202
                    return client.get("/status", headers=ADMIN)

                loads = {"intake": Load(stack.url("intake"), register, "case", 1),
                         "assignment": Load(stack.url("assignment"), publish_course,
                                            "outage-course", 1),
                         "progress": Load(stack.url("progress"), report, "outage-report", 1),
                         "monitoring": Load(stack.url("monitoring"), statistics, "status", 1)}
                async with steady(loads["intake"]), steady(loads["assignment"]), \
                        steady(loads["progress"]), steady(loads["monitoring"]):
                    await asyncio.sleep(3)
                    await proxy.cut()
                    async with httpx.AsyncClient(timeout=10) as client:
                        for name in SERVICES:
                            readiness = await eventually(
                                lambda name=name: client.get(stack.url(name) + "/readyz"),
                                until=lambda response: response.status_code == 503,
                                timeout=20, what=f"{name} reports the database down")
                            assert readiness.json()["components"]["database"] == "unavailable"
                    await asyncio.sleep(OUTAGE_SECONDS)
                    await proxy.restore()
                    for name, load in loads.items():
                        refused_before = len(load.refused())

                        def recovered(load=load, refused_before=refused_before) -> bool:
                            return any(answer.status < 300 for answer in load.answers
                                       [refused_before:])

                        await eventually(lambda recovered=recovered: asyncio.sleep(
                            0, recovered()), timeout=60, interval=0.5,
                            what=f"{name} answers 2xx again")
                    await asyncio.sleep(2)

                async with httpx.AsyncClient(timeout=10) as client:
                    for name in SERVICES:
                        response = await client.get(stack.url(name) + "/readyz")
                        assert response.status_code == 200, (name, response.text)
                assert {name: service.process.pid for name, service
                        in stack.services.items()} == pids, "a service was restarted"
                assert all(service.process.poll() is None for service in stack.services.values())

                for name, load in loads.items():
                    assert not load.unexpected(), (name, load.unexpected()[:3])
                    refused = load.refused()
                    assert refused, f"{name}: no request met the outage"
                    for answer in refused:
                        assert answer.headers.get("retry-after"), answer
                        assert answer.headers["content-type"].startswith(
                            "application/problem+json")
                        assert answer.body["status"] == 503
                        assert "Akaba" not in json.dumps(answer.body)  # no submitted value

                await _nothing_half_written(loads, engines)
                await _every_effect_downstream(engines)
                assert await dead_letter_count(kafka.bootstrap_servers) == 0
            finally:
                await stack.stop_aside()
    finally:
        for engine in engines.values():
            await engine.dispose()
        await factory.drop_all()
    for name, load in loads.items():
        record(SECTION, f"{name}: accepted / answered 503", f"{len(load.accepted())} / "
                                                           f"{len(load.refused())}")
    record(SECTION, "outage (s)", OUTAGE_SECONDS)
    record(SECTION, "half-written requests", 0)
    record(SECTION, "dead letters", 0)


async def _placed_and_enrolled(stack: Stack, engines: dict, today: date) -> list[str]:
    """A course and a few placed, enrolled people, so progress has placements to report on."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(stack.url("assignment") + "/courses", headers=COORDINATOR,
                                     json=workload.course_body(workload.DISTRICTS[0], today))
        assert response.status_code == 201, response.text
        for index in range(SETUP_CASES):
            response = await client.post(stack.url("intake") + "/cases", headers=INTAKE_STAFF,
                                         json=workload.registration(index * 25, today))
            assert response.status_code == 201, response.text
        codes = sorted(await eventually(
            lambda: scalar_set(engines["progress"], "SELECT referral_code FROM placements"),
            until=lambda found: len(found) == SETUP_CASES, timeout=120, interval=0.5,
            what="progress knows the placements"))
        # A provider enrols only confirmed placements: confirmed at assignment, then known
        # as confirmed to progress.
        for code in codes:
            response = await client.post(stack.url("assignment") + f"/referrals/{code}/confirm",
                                         headers=COORDINATOR)
            assert response.status_code == 200, response.text
        await eventually(
            lambda: scalar_set(engines["progress"], "SELECT referral_code FROM placements "
                                                    "WHERE status = 'confirmed'"),
            until=lambda found: len(found) == SETUP_CASES, timeout=120, interval=0.5,
            what="progress knows the confirmations")
        for number, code in enumerate(codes):
            response = await client.post(stack.url("progress") + "/reports", headers=PROVIDER,
                                         json=workload.reports(number, code, today)[0])
            assert response.status_code == 201, response.text
    return codes


async def _nothing_half_written(loads: dict[str, Load], engines: dict) -> None:
    """2xx: the row and its event are there; 503: neither."""
    intake = loads["intake"]
    cases = await scalar_set(engines["intake"], "SELECT pseudonym FROM cases")
    announced = await scalar_set(engines["intake"], "SELECT aggregate_id FROM outbox WHERE "
                                 "type = 'ankommen.intake.case_registered.v1'")
    accepted = {answer.body["pseudonym"] for answer in intake.accepted()}
    assert accepted <= cases and cases == announced
    assert len(cases) == SETUP_CASES + len(accepted)  # no refused registration left a case

    courses = await scalar_set(engines["assignment"], "SELECT course_id FROM courses")
    published = await scalar_set(engines["assignment"], "SELECT aggregate_id FROM outbox "
                                 "WHERE type = 'ankommen.assignment.course_published.v1'")
    assert courses == published
    assert {a.key for a in loads["assignment"].accepted()} <= courses
    assert not (half := _half_written(loads["assignment"], courses)), half

    reports = await scalar_set(engines["progress"], "SELECT report_id FROM reports")
    recorded = await scalar_set(engines["progress"], "SELECT payload FROM outbox WHERE "
                                "type = 'ankommen.progress.attendance_recorded.v1'")
    announced_reports = {json.loads(payload)["data"]["report_id"] for payload in recorded}
    assert {a.key for a in loads["progress"].accepted()} <= reports
    # A connection cut while its COMMIT was on the way: PostgreSQL committed, the service never
    # heard so and answered 503 — no system can tell the outcome then. The provider's retry
    # (same report id, same content) ends it: "already received", nothing changes.
    half = _half_written(loads["progress"], reports)
    record(SECTION, "progress reports stored although answered 503 (commit cut)", len(half))
    await _retried_as_already_received(loads["progress"], half, engines["progress"],
                                       "SELECT report_id FROM reports")
    assert {r for r in reports if r.startswith("outage-")} == announced_reports


async def _retried_as_already_received(load: Load, half: list[tuple[str, float]], engine,  # noqa: ANN001
                                       query: str) -> None:
    """Each request answered 503 whose effect is stored, sent again: answered 200 ("already
    received"), and nothing more is stored."""
    before = await scalar_set(engine, query)
    async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as client:
        for key, _at in half:
            response = await load.send(client, key)
            assert response.status_code == 200, (key, response.status_code, response.text)
    assert await scalar_set(engine, query) == before


def _half_written(load: Load, stored: set[str]) -> list[tuple[str, float]]:
    """Requests answered 503 whose effect is stored anyway, with when they were answered."""
    return [(answer.key, round(answer.at, 2)) for answer in load.refused()
            if answer.key in stored]


async def _every_effect_downstream(engines: dict) -> None:
    """The consumers caught up after the outage: nothing was dropped on their side."""
    cases = await scalar_set(engines["intake"], "SELECT pseudonym FROM cases")
    courses = await scalar_set(engines["assignment"], "SELECT course_id FROM courses")
    for service, query, expected in (
            ("assignment", "SELECT pseudonym FROM cases", cases),
            ("progress", "SELECT pseudonym FROM known_cases", cases),
            ("progress", "SELECT course_id FROM courses", courses)):
        await eventually(lambda service=service, query=query: scalar_set(engines[service], query),
                         until=lambda found, expected=expected: found == expected, timeout=120,
                         interval=1.0, what=f"{service}: {query}")
