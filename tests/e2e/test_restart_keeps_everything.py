"""Stopping and starting ``make run`` keeps everything — on Apache Kafka, which keeps its log
under the data dir: the cases, the placements, the dashboard's figures, and the facts topic that
``ankommen-monitoring rebuild`` replays. A registration after the restart is processed once,
like any other.

On the in-memory Tansu broker a restart loses every topic. The dashboard is monitoring's own
and stays; a rebuild from the (now empty) facts topic refuses instead of emptying it, and the
default rebuild takes the facts archive in monitoring's database and shows the same figures."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from typing import Any

import httpx
import pytest

from ankommen.shared.identity.auth import Role
from ankommen.shared.stack import SERVICES
from tests.assignment.support import course_body
from tests.support.brokers import APACHE_KAFKA, TANSU
from tests.support.clock import this_month, when_published
from tests.support.polling import eventually
from tests.support.run_stack import AnkommenRun
from tests.support.services import token
from tests.support.surveys import registration

pytestmark = pytest.mark.slow

PROVIDER = "vhs-heidekreis"
COORDINATOR = token(Role.COORDINATOR)
#: Disclosure control that shows the true counts of a handful of people (no noise, minimum 2).
EXACT_FIGURES = {"ANKOMMEN_MONITORING_MIN_COUNT": "2", "ANKOMMEN_MONITORING_MAX_DEVIATION": "0"}
#: Four people wait, then a course with two seats is published: two placed, two waiting.
PEOPLE, SEATS = 4, 2
ARRIVED = "ankommen.intake.arrival_recorded.v1"


async def register(client: httpx.AsyncClient, stack: AnkommenRun) -> str:
    response = await client.post(f"{stack.url('intake')}/cases", json=registration(),
                                 headers=token(Role.INTAKE_STAFF))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


async def get(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
              ) -> Any:  # noqa: ANN401 - a JSON document
    response = await client.get(url, headers=headers)
    response.raise_for_status()  # not an assertion: a poll tries again
    return response.json()


async def waiting(client: httpx.AsyncClient, stack: AnkommenRun) -> int:
    return (await get(client, f"{stack.url('assignment')}/waiting-list", COORDINATOR))["count"]


async def status(client: httpx.AsyncClient, stack: AnkommenRun) -> dict[str, Any]:
    return await get(client, f"{stack.url('monitoring')}/status", token(Role.ADMIN))


def arrivals_applied(figures: dict[str, Any]) -> int:
    return sum(row["applied"] for row in figures["by_type"] if row["type"] == ARRIVED)


def unpublished(stack: AnkommenRun) -> int:
    """Outbox rows not yet on Kafka, in all four databases (read-only)."""
    count = 0
    for name in SERVICES:
        database = stack.data_dir / f"{name}.db"
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            count += connection.execute(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]
    return count


async def quiet(client: httpx.AsyncClient, stack: AnkommenRun) -> dict[str, Any]:
    """Until every event is on Kafka and monitoring has read every fact; what it processed."""

    async def probe() -> dict[str, Any]:
        return {"unpublished": unpublished(stack), **await status(client, stack)}

    await eventually(probe, timeout=60, interval=0.2, what="the system quiet",
                     until=lambda found: found["unpublished"] == 0
                     and found["consumer_lag"] == 0)
    # Read again: the status counts the facts before it asks for the lag.
    found = await status(client, stack)
    return {key: found[key] for key in ("facts_processed", "by_type")}


async def dashboard(client: httpx.AsyncClient, stack: AnkommenRun) -> dict[str, Any]:
    """The public statistics: the catalogue, the key figures and tables of the newest closed
    month, and the open month's answer. The stack's facts are all in the open month (real
    processes, a real clock), so its figures are not published yet: the answer names the day
    they will be — the same before and after a restart and a rebuild."""
    base = f"{stack.url('monitoring')}/statistics"
    catalogue = await get(client, base)
    open_month = await client.get(f"{base}/arrivals",
                                  params={"period": this_month(), "by": "german_level"})
    return {"catalogue": catalogue,
            "key figures": await get(client, f"{base}/key-figures"),
            **{measure: await get(client, f"{base}/{measure}")
               for measure in ("arrivals", "placements", "waitlisted")},
            "open month": (open_month.status_code, open_month.json()["detail"])}


async def cases_and_placements(client: httpx.AsyncClient, stack: AnkommenRun,
                               case_ids: list[str]) -> dict[str, Any]:
    """Every case at intake, every placement at assignment and progress, the waiting list."""
    intake, assignment, progress = (stack.url(name)
                                    for name in ("intake", "assignment", "progress"))
    participants = await get(client, f"{progress}/participants",
                             token(Role.PROVIDER, provider_id=PROVIDER))
    return {
        "cases": [await get(client, f"{intake}/cases/{case_id}?purpose=counselling",
                            token(Role.INTAKE_STAFF)) for case_id in case_ids],
        "cases known to progress": (await get(client, f"{progress}/cases/count",
                                              COORDINATOR))["count"],
        "participants": sorted(participants, key=lambda row: row["referral_code"]),
        "placements": [await get(client, f"{assignment}/referrals/{row['referral_code']}",
                                 COORDINATOR)
                       for row in sorted(participants, key=lambda row: row["referral_code"])],
        "waiting list": await get(client, f"{assignment}/waiting-list", COORDINATOR),
    }


async def run_rebuild(stack: AnkommenRun, *options: str) -> subprocess.CompletedProcess:
    """``ankommen-monitoring rebuild`` against the running stack, as monitoring's principal."""
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "ankommen.monitoring", "rebuild", *options],
        env={**stack.environment(), **stack.credentials("monitoring")}, capture_output=True,
        text=True, timeout=120)


async def rebuild(stack: AnkommenRun, *options: str) -> str:
    """A rebuild that must succeed; its last line."""
    result = await run_rebuild(stack, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


async def everyone_registered_and_waiting(client: httpx.AsyncClient, stack: AnkommenRun
                                          ) -> list[str]:
    """Register :data:`PEOPLE` people, until assignment has each of them on its waiting list;
    their case ids."""
    case_ids = [await register(client, stack) for _ in range(PEOPLE)]
    await eventually(lambda: waiting(client, stack), until=lambda n: n == PEOPLE,
                     timeout=60, what="every person waiting")
    return case_ids


async def test_restart_keeps_cases_placements_and_monitoring_history(tmp_path):
    stack = AnkommenRun(tmp_path, APACHE_KAFKA, settings=EXACT_FIGURES)
    async with httpx.AsyncClient(timeout=10) as client:
        stack.start()
        try:
            await stack.ready(client)
            case_ids = await everyone_registered_and_waiting(client, stack)
            created = await client.post(f"{stack.url('assignment')}/courses", json=course_body(
                "restart-course", PROVIDER, capacity=SEATS), headers=COORDINATOR)
            assert created.status_code == 201, created.text
            await eventually(lambda: waiting(client, stack), until=lambda n: n == PEOPLE - SEATS,
                             timeout=60, what="the seats taken")
            processing = await quiet(client, stack)
            before = await cases_and_placements(client, stack, case_ids)
            figures = await dashboard(client, stack)
        finally:
            code = stack.interrupt()
        assert code == 0, stack.log_tail()
        assert stack.nothing_listens()
        assert len(before["placements"]) == SEATS
        assert arrivals_applied(processing) == PEOPLE
        assert figures["open month"][0] == 422
        assert when_published(this_month()).date().isoformat() in figures["open month"][1]

        stack.start()
        try:
            await stack.ready(client)
            assert await cases_and_placements(client, stack, case_ids) == before
            assert await dashboard(client, stack) == figures
            assert await quiet(client, stack) == processing
            replayed = await rebuild(stack, "--from", "topic")
            assert f"rebuilt from {processing['facts_processed']} facts" in replayed
            assert await dashboard(client, stack) == figures

            # A registration after the restart is processed once, like any other.
            case_ids.append(await register(client, stack))
            await eventually(lambda: waiting(client, stack), timeout=60,
                             until=lambda n: n == PEOPLE - SEATS + 1, what="the newcomer waiting")
            await quiet(client, stack)
            after = await cases_and_placements(client, stack, case_ids)
            assert after["cases known to progress"] == PEOPLE + 1
            assert after["placements"] == before["placements"]
            assert arrivals_applied(await status(client, stack)) == PEOPLE + 1
            # Counted, not published: the newcomer's month is open.
            assert await dashboard(client, stack) == figures
        finally:
            code = stack.interrupt()
        assert code == 0, stack.log_tail()


async def test_a_restart_on_tansu_keeps_the_dashboard_and_rebuilds_it_from_the_archive(tmp_path):
    stack = AnkommenRun(tmp_path, TANSU, settings=EXACT_FIGURES)
    async with httpx.AsyncClient(timeout=10) as client:
        stack.start()
        try:
            await stack.ready(client)
            await everyone_registered_and_waiting(client, stack)
            processing = await quiet(client, stack)
            figures = await dashboard(client, stack)
        finally:
            code = stack.interrupt()
        assert code == 0, stack.log_tail()
        assert arrivals_applied(processing) == PEOPLE, processing

        stack.start()  # Tansu starts empty: new topics, no fact on them
        try:
            await stack.ready(client)
            assert await dashboard(client, stack) == figures
            facts = processing["facts_processed"]
            refused = await run_rebuild(stack, "--from", "topic")
            assert refused.returncode == 3, refused.stdout + refused.stderr
            assert f"{facts} of the {facts} facts the aggregates count are not on the topic" \
                in refused.stderr, refused.stderr
            assert await dashboard(client, stack) == figures
            rebuilt = await rebuild(stack)
            assert f"rebuilt from {facts} facts (0 duplicates, 0 refused) of the facts " \
                   "archive" in rebuilt
            assert await dashboard(client, stack) == figures
        finally:
            code = stack.interrupt()
        assert code == 0, stack.log_tail()
