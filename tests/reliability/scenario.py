"""One run of the crash-consistency scenario against a running :class:`Stack`: the catalogue,
a seed case, then the stream of arrivals (intake's HTTP API, several at a time) and provider
reports (the provider topic), until every effect has arrived everywhere.

The driver behaves like a careful client: a request cut off by a crash is sent again once
intake answers; if the first attempt had been committed, intake's duplicate detection answers
409 with the existing case, which is then that person's case (no second case is created).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ankommen.assignment.service.handlers import PARTICIPATION_EVENTS
from ankommen.shared.db.engine import create_engine
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS, PARTICIPATION, provider_reports_topic
from ankommen.shared.stack import SERVICES
from tests.reliability import workload
from tests.reliability.canonical import (
    COUNTED_BY_VALUE,
    Labels,
    Projection,
    collect_record_keys,
    project,
    rows,
    service_metadata,
)
from tests.reliability.stack import Stack
from tests.support.polling import eventually
from tests.support.services import token

INTAKE_STAFF = token(Role.INTAKE_STAFF)
#: The reliability provider's own reports topic.
REPORTS = provider_reports_topic(workload.PROVIDER).name
#: Confirmations in flight at once (a provider's staff at several desks; one at a time made
#: the confirmations the longest part of the stream).
CONFIRMING_AT_ONCE = 8
COORDINATOR = token(Role.COORDINATOR)


@dataclass
class RunResult:
    projections: dict[str, Projection]
    #: Events written to the services' outboxes (every one was published and consumed).
    events: int
    #: Requests that had to be sent again after a crash cut them off, and how many of those
    #: had been committed before the crash (intake answered with the existing case).
    resent: int = 0
    committed_before_crash: int = 0
    duration_s: float = 0.0
    #: Seconds since the run began at which it was ready, had fed everything, had settled.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def stream_s(self) -> float:
        """How long the stream of cases took to feed (after the catalogue and seed case)."""
        return self.phases["fed"] - self.phases["ready"]


@dataclass
class Run:
    stack: Stack
    cases: int
    today: date
    concurrency: int = 16
    case_ids: dict[str, int] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    #: Placements the provider confirmed at assignment (an enrolment needs it).
    confirmed: set[str] = field(default_factory=set)
    resent: int = 0
    committed_before_crash: int = 0
    engines: dict[str, AsyncEngine] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    async def execute(self, during: Callable[[], Awaitable[None]] | None = None) -> RunResult:
        """Feed everything; ``during`` (e.g. the crash injector) runs alongside the stream."""
        started = time.monotonic()
        self.engines = {name: create_engine(url) for name, url in self.stack.databases.items()}
        try:
            await self.stack.wait_ready()
            await self._publish_catalogue()
            await self._register(0)  # the seed: see workload's docstring
            await eventually(lambda: self._count("assignment", "placements"),
                             until=lambda count: count == 1, timeout=120,
                             what="the seed case placed")
            self.phases["ready"] = time.monotonic() - started
            injector = asyncio.create_task(during()) if during else None
            reporter = asyncio.create_task(self._report_until_done())
            await self._feed(range(1, self.cases))
            self.phases["fed"] = time.monotonic() - started
            await reporter
            if injector is not None:
                await injector
            await self.stack.wait_ready()
            events = await self._settled()
            self.phases["settled"] = time.monotonic() - started
            print(f"phases: {self.phases}, cpu: {self.stack.cpu_seconds()}")
            projections = await self._snapshot()
        finally:
            for engine in self.engines.values():
                await engine.dispose()
        return RunResult(projections, events, self.resent, self.committed_before_crash,
                         time.monotonic() - started, dict(self.phases))

    # -- input -------------------------------------------------------------------------

    async def _publish_catalogue(self) -> None:
        async with httpx.AsyncClient(base_url=self.stack.url("assignment"), timeout=30) as client:
            for district in workload.DISTRICTS:
                response = await client.post(
                    "/courses", json=workload.course_body(district, self.today),
                    headers=COORDINATOR)
                assert response.status_code == 201, response.text
        await eventually(lambda: self._count("progress", "courses"),
                         until=lambda count: count == len(workload.DISTRICTS), timeout=120,
                         what="progress knows the catalogue")

    async def _feed(self, indexes: range) -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in indexes:
            queue.put_nowait(index)

        async def worker() -> None:
            async with self._intake_client() as client:
                while not queue.empty():
                    await self._register(queue.get_nowait(), client)

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    def _intake_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.stack.url("intake"), timeout=30)

    async def _register(self, index: int, client: httpx.AsyncClient | None = None) -> None:
        if client is None:
            async with self._intake_client() as own:
                return await self._register(index, own)
        body = workload.registration(index, self.today)
        cut_off = False
        while True:
            try:
                response = await client.post("/cases", json=body, headers=INTAKE_STAFF)
            except httpx.TransportError:
                cut_off = True
                await asyncio.sleep(0.5)
                continue
            if response.status_code == 201:
                self.case_ids[response.json()["case_id"]] = index
                break
            if response.status_code == 409 and cut_off:
                [candidate] = response.json()["candidates"]
                self.case_ids[candidate["case_id"]] = index
                self.committed_before_crash += 1
                break
            if response.status_code == 503:
                await asyncio.sleep(0.5)
                continue
            raise AssertionError(f"case {index}: {response.status_code} {response.text}")
        self.resent += cut_off

    async def _report_until_done(self) -> None:
        """Confirm each person's placement at assignment (a provider enrols only confirmed
        placements), then send their reports once progress knows the confirmation."""
        producer = AIOKafkaProducer(bootstrap_servers=self.stack.bootstrap, acks="all",
                                    enable_idempotence=False, linger_ms=20)
        await producer.start()
        try:
            while len(self.reported) < self.cases:
                await self._confirm(await self._placements_known_to_progress("offered"))
                pending = await self._placements_known_to_progress("confirmed")
                sends = []
                for referral_code, index in pending:
                    for report in workload.reports(index, referral_code, self.today):
                        sends.append(await producer.send(
                            REPORTS, workload.provider_message(report),
                            key=referral_code.encode()))
                for sent in sends:
                    await sent
                self.reported.update(code for code, _ in pending)
                await asyncio.sleep(0.5)
        finally:
            await producer.stop()

    async def _confirm(self, placements: list[tuple[str, int]]) -> None:
        """Confirmed as the provider would, once each; a request that failed (assignment
        restarting) is tried again on the next round (confirming is idempotent)."""
        gate = asyncio.Semaphore(CONFIRMING_AT_ONCE)

        async def confirm(client: httpx.AsyncClient, code: str) -> None:
            async with gate:
                try:
                    response = await client.post(f"/referrals/{code}/confirm",
                                                 headers=COORDINATOR)
                except httpx.HTTPError:
                    return
            if response.status_code == 200:
                self.confirmed.add(code)

        async with httpx.AsyncClient(base_url=self.stack.url("assignment"), timeout=30) as client:
            await asyncio.gather(*(confirm(client, code) for code, _ in placements
                                   if code not in self.confirmed))

    async def _placements_known_to_progress(self, status: str) -> list[tuple[str, int]]:
        pseudonyms = await self._pseudonyms()
        async with self.engines["progress"].connect() as connection:
            known = (await connection.execute(
                text("SELECT referral_code, pseudonym FROM placements WHERE status = :status"),
                {"status": status})).all()
        return [(code, pseudonyms[pseudonym]) for code, pseudonym in known
                if code not in self.reported and pseudonym in pseudonyms]

    async def _pseudonyms(self) -> dict[str, int]:
        async with self.engines["intake"].connect() as connection:
            found = (await connection.execute(text("SELECT case_id, pseudonym FROM cases"))).all()
        by_case = {str(uuid.UUID(str(case_id))): pseudonym for case_id, pseudonym in found}
        return {by_case[case_id]: index for case_id, index in self.case_ids.items()
                if case_id in by_case}

    # -- waiting for the end -----------------------------------------------------------

    async def _count(self, service: str, table: str, where: str = "") -> int:
        async with self.engines[service].connect() as connection:
            return await connection.scalar(text(f"SELECT count(*) FROM {table} {where}"))

    async def _outstanding(self) -> dict[str, Any]:
        """What is not there yet (empty once the run has settled)."""
        n = self.cases
        facts = 0
        for service in ("intake", "assignment", "progress"):
            facts += await self._count(service, "outbox", f"WHERE topic = '{FACTS.name}'")
        # Assignment follows progress's participation events (enrolled, completed …): the
        # run has settled only when it has taken every one, or its placements' states differ
        # by how far it had read when the snapshot was taken.
        followed = ", ".join(f"'{kind.event_type}'" for kind in PARTICIPATION_EVENTS)
        participation = await self._count(
            "progress", "outbox",
            f"WHERE topic = '{PARTICIPATION.name}' AND type IN ({followed})")
        expected = {
            ("intake", "cases", ""): n,
            # Every placement confirmed (the reporting step), as intake tracks them.
            ("intake", "provider_placements", ""): n,
            ("assignment", "placements", ""): n,
            ("progress", "known_cases", ""): n,
            ("progress", "placements", ""): n,
            ("progress", "reports", ""): 2 * n,
            # Its facts consumer's record of what it processed is the archive (no inbox rows).
            ("monitoring", "fact_archive", "WHERE processed"): facts,
            ("assignment", "inbox", "WHERE consumer = 'ankommen.assignment.participation'"):
                participation,
            **{(service, "outbox", "WHERE published_at IS NULL"): 0 for service in SERVICES},
        }
        outstanding = {}
        for (service, table, where), wanted in expected.items():
            found = await self._count(service, table, where)
            if found != wanted:
                outstanding[f"{service}.{table} {where}".strip()] = (found, wanted)
        return outstanding

    async def _settled(self) -> int:
        await eventually(self._outstanding, until=lambda outstanding: not outstanding,
                         timeout=600, interval=1.0, what="every effect arrived")
        total = 0
        for service in SERVICES:
            async with self.engines[service].connect() as connection:
                outbox = service_metadata(service).tables["outbox"]
                # Seat snapshots depend on batching: counted by value (see canonical).
                total += await connection.scalar(select(func.count()).select_from(outbox)
                                                 .where(outbox.c.type.not_in(COUNTED_BY_VALUE)))
        return total

    # -- the state -----------------------------------------------------------------------

    async def _snapshot(self) -> dict[str, Projection]:
        tables = {service: await rows(self.engines[service], service_metadata(service))
                  for service in SERVICES}
        labels = Labels()
        for row in tables["intake"]["cases"]:
            index = self.case_ids[str(row["case_id"])]
            labels.add(row["case_id"], f"case:{index}")
            labels.add(row["pseudonym"], f"pseudonym:{index}")
        for row in tables["assignment"]["placements"]:
            person = labels.mapping[row["pseudonym"]].removeprefix("pseudonym:")
            labels.add(row["placement_id"], f"placement:{person}:{row['course_id']}")
            labels.add(row["referral_code"], f"referral:{person}:{row['course_id']}")
        for service_tables in tables.values():
            collect_record_keys(service_tables, labels)
        return {service: project(service_tables, labels)
                for service, service_tables in tables.items()}
