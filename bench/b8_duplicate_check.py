"""B8: registration with the duplicate check, with 50,000 people registered (issue 17
acceptance: under 50 ms median).

The real intake runs as its own process (uvicorn, as B3). Registrations are sent one at a
time (one client: the latency of a registration, not the queue of many) — first into the
empty database (the baseline, same run, same app, same kind of registrations), then, after
50,000 people were stored, again with other people of the same mix. The ratio is the second
median to the first: what 50,000 people cost the check.

The 50,000 are not registered over HTTP (that would take longer than everything else): the
benchmark stores them through intake's own code — survey derived, identity sealed under a
data key of its own, blocking keys computed and blind-indexed with the gender, exactly as
:func:`~ankommen.intake.service.register_arrival.register_arrival` does — with the adapters'
bulk inserts. Left out are the outbox events and audit entries of those registrations, which
the check never reads. The people come from the synthetic county mix
(``ankommen.tools.synthetic.people``): a few common names per language, so that the
blocking keys of Mohammed, Ahmad, Ali and their family names are crowded, as at a real desk.

A registration answered 409 (a likely namesake) is sent again with ``different_person``, as
staff would; its latency is that of both requests, and the count is reported.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from ankommen.intake.adapters.identity_store import IdentityStore
from ankommen.intake.adapters.repository import CaseRepository
from ankommen.intake.config import IntakeSettings
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.identity import Identity
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.register_arrival import derive_survey
from ankommen.shared.db.engine import create_engine, session_factory
from ankommen.shared.identity.auth import Role
from ankommen.tools.synthetic.people import arrivals
from bench.harness import POSTGRES, broker, database
from bench.results import Figure
from bench.stack import headers, stack
from bench.staircase import percentile

PEOPLE = 50_000
#: Registrations measured in each phase.
MEASURED = 300
BATCH = 2_000
TARGET_MS = 50.0


async def fill(database_url: str, people: list[dict[str, Any]], today: date) -> float:
    """Store ``people`` as registration stores them (see the module docstring); seconds."""
    started = time.perf_counter()
    protection = IdentityProtection.from_settings(IntakeSettings(database_url=database_url))
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        for first in range(0, len(people), BATCH):
            cases, sealed = [], []
            for arrival in people[first:first + BATCH]:
                identity = Identity.model_validate(arrival["identity"])
                survey = derive_survey(identity, arrival["survey"], today)
                case = Case(survey=survey, registered_on=today)
                cases.append(case)
                sealed.append((case.case_id, protection.vault.seal(case.case_id, identity),
                               protection.lookup(identity, gender=survey.gender.value).all))
            async with sessions() as session:
                await CaseRepository(session).add_many(cases)
                await IdentityStore(session).add_many(sealed)
                await session.commit()
        if POSTGRES:  # as autovacuum would, soon after such a load
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def register_each(client: httpx.AsyncClient, url: str, bodies: list[dict[str, Any]]
                        ) -> tuple[list[float], int]:
    """Latency of each registration (both requests when 409), and how many were 409."""
    latencies, warned = [], 0
    auth = headers(Role.INTAKE_STAFF)
    for body in bodies:
        started = time.perf_counter()
        response = await client.post(url, json=body, headers=auth)
        if response.status_code == 409:
            warned += 1
            response = await client.post(url, json={**body, "resolution": {
                "decision": "different_person"}}, headers=auth)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 201:
            raise RuntimeError(f"registration refused ({response.status_code}): "
                               f"{response.text}")
    return latencies, warned


async def scenario(bootstrap: str, folder: Path, people: int, measured: int
                   ) -> dict[str, Any]:
    today = date.today()
    # One draw for all, so that file numbers (numbered per draw) are never shared.
    everyone = [arrival.body() for arrival in arrivals(
        random.Random(8), people + 2 * measured + 20, date(today.year - 1, 1, 1), today)]
    random.Random(9).shuffle(everyone)
    for body in everyone:
        body["registered_on"] = today.isoformat()
    warm, everyone = everyone[:20], everyone[20:]
    empty_phase, full_phase = everyone[:measured], everyone[measured:2 * measured]
    stored = everyone[2 * measured:]
    async with database(folder, "intake") as url, \
            stack(bootstrap, folder, {"intake": url}) as running:
        await running.start("intake")
        cases_url = f"{running.url('intake')}/cases"
        async with httpx.AsyncClient(timeout=120) as client:
            await register_each(client, cases_url, warm)
            empty, empty_warned = await register_each(client, cases_url, empty_phase)
            fill_seconds = await fill(url, stored, today)
            full, full_warned = await register_each(client, cases_url, full_phase)
        return {"empty": empty, "full": full, "empty_warned": empty_warned,
                "full_warned": full_warned, "fill_seconds": fill_seconds,
                "peak_rss_mb": running.peak_memory()}


def run(people: int = PEOPLE, measured: int = MEASURED) -> list[Figure]:
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(scenario(started.bootstrap_servers, Path(folder), people,
                                     measured))

    def ms(latencies: list[float], share: float) -> float:
        return round(percentile(latencies, share) * 1000, 1)

    median, empty_median = ms(found["full"], 0.5), ms(found["empty"], 0.5)
    p95, empty_p95 = ms(found["full"], 0.95), ms(found["empty"], 0.95)
    details = {"people_stored": people, "registrations_measured": measured, "clients": 1,
               "warned_409_full": found["full_warned"],
               "warned_409_empty": found["empty_warned"],
               "fill_seconds": round(found["fill_seconds"], 1),
               "p95_ms": p95, "empty_p95_ms": empty_p95,
               "peak_rss_mb": found["peak_rss_mb"]}
    return [
        Figure("B8", f"registration with duplicate check, {people:,} stored, p50", median,
               "ms", empty_median, "same registrations, empty database, p50 (ms)",
               median / empty_median, f"p50 < {TARGET_MS:.0f} ms", median < TARGET_MS,
               details),
        Figure("B8", f"registration with duplicate check, {people:,} stored, p95", p95, "ms",
               empty_p95, "same registrations, empty database, p95 (ms)", p95 / empty_p95,
               "reported", True, {}),
    ]
