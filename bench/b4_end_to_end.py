"""B4: end-to-end latency at a steady 100 registrations/s for 60 s — intake POST → placement
decided by assignment → the decision's fact applied by monitoring — p50/p95/p99; and B6, the
peak memory (``VmHWM``) of each of the four service processes over the run.

All four services run as their own processes on a fresh broker and databases; the coordinator
publishes the synthetic county's catalogue first. Registrations follow an open-loop schedule:
registration *i* is due at ``t0 + i / rate`` and sent then whether or not earlier ones were
answered, and every latency is counted from the due time (so a slow service cannot slow the
load down and hide its own queueing — no coordinated omission).

How each registration is followed from outside, without any hook in the services:

1. *POST*: intake's answer carries the case pseudonym.
2. *Decided*: the benchmark reads assignment's placements topic (keyed by pseudonym) with
   its own partition-assigned consumer; the first ``PlacementOffered`` or ``Waitlisted`` for
   the pseudonym is the decision.
3. *Visible in monitoring*: facts carry no pseudonym (by design), so the benchmark polls
   monitoring's own ``fact_intake`` counter of applied ``PlacementMadeFact`` +
   ``WaitlistedFact`` every 50 ms (a read of its database). The decision fact is written in
   the same transaction as the decision event, so registration *i*'s fact counts as visible
   at the first poll where monitoring has applied at least as many decision facts as had
   been decided up to and including *i* (decisions ranked by the time the benchmark saw them;
   re-announcements of people already waiting are counted from the facts topic and added).
   This is exact when monitoring applies decision facts in the order assignment made them;
   facts spread over 6 partitions can be applied slightly out of order, which shifts single
   registrations by at most the reordering window but leaves the percentiles within the
   50 ms polling step of the truth.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from ankommen.shared.auth import Role
from ankommen.shared.db.engine import create_engine
from ankommen.shared.events.contracts.assignment import (
    PlacementMadeFact,
    PlacementOffered,
    Waitlisted,
    WaitlistedFact,
)
from ankommen.shared.topics import FACTS, PLACEMENTS
from ankommen.tools.synthetic import county
from bench.harness import broker, database
from bench.results import Figure
from bench.stack import TopicReader, headers, percentile, scalar, stack, wait_until

SERVICES = ("intake", "assignment", "progress", "monitoring")
DECISIONS = {PlacementOffered.event_type, Waitlisted.event_type}
DECISION_FACTS = (PlacementMadeFact.event_type, WaitlistedFact.event_type)
APPLIED = ("SELECT coalesce(sum(applied), 0) FROM fact_intake WHERE fact_type IN "
           f"('{DECISION_FACTS[0]}', '{DECISION_FACTS[1]}')")
TARGET_P95_MS = 500.0


@dataclass
class Sent:
    due: float
    answered: float | None = None
    pseudonym: str | None = None
    error: str | None = None


async def post(client: httpx.AsyncClient, body: dict[str, Any], sent: Sent) -> None:
    auth = headers(Role.INTAKE_STAFF)
    try:
        response = await client.post("/cases", json=body, headers=auth)
        if response.status_code == 409:  # a suspected duplicate: the desk says "different"
            response = await client.post("/cases", json={**body, "resolution": {
                "decision": "different_person"}}, headers=auth)
        if response.status_code != 201:
            sent.error = f"{response.status_code}"
            return
        sent.answered, sent.pseudonym = time.monotonic(), response.json()["pseudonym"]
    except httpx.HTTPError as error:
        sent.error = type(error).__name__


class MonitoringCounter:
    """Monitoring's applied decision facts over time, polled from its database."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.samples: list[tuple[float, int]] = []

    async def poll(self, stop: asyncio.Event) -> None:
        engine = create_engine(self.url)
        try:
            async with engine.connect() as connection:
                while not stop.is_set():
                    value = await connection.scalar(text(APPLIED))
                    await connection.commit()  # a fresh snapshot for the next read
                    self.samples.append((time.monotonic(), int(value)))
                    await asyncio.sleep(0.05)
        finally:
            await engine.dispose()

    def first_reaching(self, count: int) -> float | None:
        for moment, value in self.samples:
            if value >= count:
                return moment
        return None


async def scenario(bootstrap: str, folder: Path, rate: int, seconds: int,
                   drain: float) -> dict[str, Any]:
    total = rate * seconds
    region = county(total + 10, 70, date.today())
    bodies = [arrival.body() for arrival in region.arrivals]
    names = list(SERVICES)
    async with database(folder, "intake") as intake_db, \
            database(folder, "assignment") as assignment_db, \
            database(folder, "progress") as progress_db, \
            database(folder, "monitoring") as monitoring_db, \
            stack(bootstrap, folder, dict(zip(names, (intake_db, assignment_db, progress_db,
                                                      monitoring_db), strict=True))) as running:
        for name in SERVICES:
            await running.start(name)
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=running.url("assignment"), timeout=60) as client:
            for course in region.courses:
                (await client.post("/courses", json=course,
                                   headers=headers(Role.COORDINATOR))).raise_for_status()
        async with httpx.AsyncClient(base_url=running.url("intake"), limits=limits,
                                     timeout=300) as client, \
                TopicReader(bootstrap, PLACEMENTS.name) as decisions, \
                TopicReader(bootstrap, FACTS.name) as facts:
            # Warm-up: ten registrations through the whole chain (every consumer group joined).
            warm = [Sent(time.monotonic()) for _ in range(10)]
            await asyncio.gather(*(post(client, body, sent)
                                   for body, sent in zip(bodies[total:], warm, strict=True)))

            async def warmed() -> bool:
                return await scalar(monitoring_db, APPLIED) >= 10

            await wait_until(warmed, "the warm-up registrations in monitoring", 180, 0.5)
            baseline_applied = await scalar(monitoring_db, APPLIED)
            seen_decisions, seen_facts = len(decisions.messages), len(facts.messages)
            counter, stop = MonitoringCounter(monitoring_db), asyncio.Event()
            poller = asyncio.create_task(counter.poll(stop))

            started = time.monotonic()
            sent = [Sent(started + number / rate) for number in range(total)]
            tasks = []
            for body, entry in zip(bodies, sent, strict=False):
                await asyncio.sleep(max(0.0, entry.due - time.monotonic()))
                tasks.append(asyncio.create_task(post(client, body, entry)))
            await asyncio.gather(*tasks)
            schedule_end = time.monotonic()
            answered = sum(1 for entry in sent if entry.pseudonym)

            async def drained() -> bool:
                return bool(counter.samples) and \
                    counter.samples[-1][1] - baseline_applied >= answered
            with contextlib.suppress(TimeoutError):  # the stragglers count as missing
                await wait_until(drained, "every decision fact in monitoring", drain, 0.5)
            stop.set()
            await poller
            memory = running.peak_memory()
        first_decision: dict[str, float] = {}
        for moment, key, envelope in decisions.messages[seen_decisions:]:
            if envelope["type"] in DECISIONS and key:
                first_decision.setdefault(key.decode(), moment)
        fact_times = sorted(moment for moment, _, envelope in facts.messages[seen_facts:]
                            if envelope["type"] in DECISION_FACTS)
        return {"sent": sent, "first_decision": first_decision, "fact_times": fact_times,
                "counter": counter, "baseline_applied": baseline_applied,
                "started": started, "schedule_end": schedule_end, "memory": memory}


def latencies(found: dict[str, Any]) -> tuple[list[float], list[float], list[float], int]:
    """(POST, decided, visible) latencies in ms of the registrations that got that far, and
    how many never became visible."""
    sent: list[Sent] = found["sent"]
    counter: MonitoringCounter = found["counter"]
    decided_at = sorted(found["first_decision"][entry.pseudonym] for entry in sent
                        if entry.pseudonym in found["first_decision"])
    posted, decided, visible, missing = [], [], [], 0
    for entry in sent:
        if entry.answered is None:
            missing += 1
            continue
        posted.append((entry.answered - entry.due) * 1000)
        moment = found["first_decision"].get(entry.pseudonym)
        if moment is None:
            missing += 1
            continue
        decided.append((moment - entry.due) * 1000)
        rank = bisect.bisect_right(decided_at, moment)
        facts_by_then = bisect.bisect_right(found["fact_times"], moment)
        shown = counter.first_reaching(found["baseline_applied"] + max(rank, facts_by_then))
        if shown is None:
            missing += 1
            continue
        visible.append((max(shown, moment) - entry.due) * 1000)
    return posted, decided, visible, missing


def run(rate: int = 100, seconds: int = 60, drain: float = 120) -> list[Figure]:
    with broker() as embedded, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(scenario(embedded.bootstrap_servers, Path(folder), rate, seconds,
                                     drain))
    posted, decided, visible, missing = latencies(found)
    total = rate * seconds
    # A registration that never became visible within the drain time counts as slower than
    # every measured one: the percentiles then say "at least".
    ceiling = (found["schedule_end"] - found["started"] + drain) * 1000
    everything = visible + [ceiling] * missing

    def at(values: list[float], share: float) -> float:
        return round(percentile(values, share), 1) if values else ceiling

    details = {
        "registrations": total, "rate_per_s": rate, "seconds": seconds,
        "achieved_rate_per_s": round(total / (found["schedule_end"] - found["started"]), 1),
        "not_visible_within_drain": missing, "drain_seconds": drain,
        "post_ms": {"p50": at(posted, 0.5), "p95": at(posted, 0.95), "p99": at(posted, 0.99)},
        "decided_ms": {"p50": at(decided, 0.5), "p95": at(decided, 0.95),
                       "p99": at(decided, 0.99)},
        "visible_ms": {"p50": at(everything, 0.5), "p95": at(everything, 0.95),
                       "p99": at(everything, 0.99)},
        "method": "per-pseudonym decision on the placements topic; monitoring's applied "
                  "decision-fact counter matched by rank (see bench/b4_end_to_end.py)"}
    p95 = details["visible_ms"]["p95"]
    figures = [Figure("B4", f"end to end p95 at {rate}/s for {seconds} s (p50/p99 in "
                            "details)", p95, "ms", None, "",
                      p95 / TARGET_P95_MS, "p95 ≤ 500 ms", p95 <= TARGET_P95_MS and not missing,
                      details)]
    figures += [Figure("B6", f"peak RSS of {name} during B4", megabytes, "MB", None, "",
                       megabytes / 150, "≤ 150 MB", megabytes <= 150, {"source": "VmHWM"})
                for name, megabytes in found["memory"].items()]
    return figures
