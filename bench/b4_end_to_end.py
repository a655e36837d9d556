"""B4: the whole pipeline — intake POST → placement decided by assignment → the decision's
fact applied by monitoring (the dashboard) — as an open-loop staircase (issue 21):

1. **Staircase**: rising registration rates (:data:`bench.staircase.RATES`, each held for
   :data:`bench.staircase.STEP_SECONDS`) until a step is not sustained (rules in
   :mod:`bench.staircase`); the figure is the **highest sustained rate**, and the **CPU per
   registration across all services** at that step: CPU-seconds of every service process and
   every process they started (a relay in its own process too), from /proc, from the step's
   start until its last registration was on the dashboard, divided by its registrations.
2. **Hold**: on a fresh broker, databases and services, 70 % of that rate for 60 s — the
   **p95 from registration to dashboard** there, and B6, the peak memory (``VmHWM``) of every
   service process (and relay process) of that run.

All four services run as their own processes; the coordinator publishes the synthetic county's
catalogue first, and ten registrations warm the whole chain before anything is measured.
Registrations follow an open-loop schedule: registration *i* of a step is due at
``t0 + i / rate`` and sent then whether or not earlier ones were answered, and every latency is
counted from the due time (no coordinated omission). The load generator is this process's
event loop (Debian has no wrk2, and wrk is closed-loop); its own lag — how late each request
was sent after its due time — is measured and reported per step (``load_lag_ms``), and it
counts in every latency. The bodies are people intake's duplicate check does not confuse
(B3's :func:`~bench.b3_intake_http.distinct_bodies`), so no registration needs a second
request.

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
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.events.contracts.assignment import (
    PlacementMadeFact,
    PlacementOffered,
    Waitlisted,
    WaitlistedFact,
)
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS, PLACEMENTS
from ankommen.tools.synthetic import county
from bench.b3_intake_http import distinct_bodies
from bench.harness import broker, database
from bench.processes import ProcessTree, spent_between
from bench.results import Figure
from bench.stack import Stack, TopicReader, headers, scalar, stack, wait_until
from bench.staircase import (
    ANSWER_GRACE_SECONDS,
    RATES,
    STEP_SECONDS,
    Step,
    climb,
    highest_sustained,
    percentile,
)

SERVICES = ("intake", "assignment", "progress", "monitoring")
DECISIONS = {PlacementOffered.event_type, Waitlisted.event_type}
DECISION_FACTS = (PlacementMadeFact.event_type, WaitlistedFact.event_type)
APPLIED = ("SELECT coalesce(sum(applied), 0) FROM fact_intake WHERE fact_type IN "
           f"('{DECISION_FACTS[0]}', '{DECISION_FACTS[1]}')")
TARGET_P95_MS = 500.0
TARGET_CPU_MS = 15.0
TARGET_RSS_MB = 150.0
#: The hold run: this share of the highest sustained rate, for this long.
HOLD_SHARE = 0.7
HOLD_SECONDS = 60
#: After a step's schedule: how long answers and the dashboard may take to catch up.
STEP_DRAIN_SECONDS = 30.0
WARM_UP = 10
#: How long the idle services' CPU is read before the staircase.
IDLE_SECONDS = 5.0


@dataclass
class Sent:
    due: float
    #: When the load generator actually sent it (its lag: ``sent - due``).
    sent: float | None = None
    answered: float | None = None
    pseudonym: str | None = None
    error: str | None = None


async def post(client: httpx.AsyncClient, body: dict[str, Any], sent: Sent) -> None:
    auth = headers(Role.INTAKE_STAFF)
    sent.sent = time.monotonic()
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


@dataclass
class Pipeline:
    """The four services running, with the benchmark's observers: intake's client, readers of
    the placements and facts topics, monitoring's database and every service process."""

    running: Stack
    client: httpx.AsyncClient
    decisions: TopicReader
    facts: TopicReader
    monitoring_db: str
    processes: ProcessTree


@contextlib.asynccontextmanager
async def pipeline(bootstrap: str, folder: Path, warm: list[dict[str, Any]]
                   ) -> AsyncIterator[Pipeline]:
    """Fresh databases and the four services; the catalogue published and ``warm``
    registered through the whole chain (every consumer group joined) before it is handed
    out."""
    region = county(1, 70, date.today())
    async with database(folder, "intake") as intake_db, \
            database(folder, "assignment") as assignment_db, \
            database(folder, "progress") as progress_db, \
            database(folder, "monitoring") as monitoring_db, \
            stack(bootstrap, folder, dict(zip(SERVICES, (intake_db, assignment_db, progress_db,
                                                         monitoring_db), strict=True))
                  ) as running:
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
            sent = [Sent(time.monotonic()) for _ in warm]
            await asyncio.gather(*(post(client, body, entry)
                                   for body, entry in zip(warm, sent, strict=True)))

            async def warmed() -> bool:
                return await scalar(monitoring_db, APPLIED) >= len(warm)

            await wait_until(warmed, "the warm-up registrations in monitoring", 180, 0.5)
            yield Pipeline(running, client, decisions, facts, monitoring_db,
                           running.processes())


async def measure(line: Pipeline, bodies: list[dict[str, Any]], rate: float, seconds: float,
                  drain: float) -> dict[str, Any]:
    """``rate`` registrations per second for ``seconds`` on an open-loop schedule, then until
    every accepted one is on the dashboard (at most ``drain`` seconds after the schedule)."""
    total = round(rate * seconds)
    if len(bodies) < total:
        raise ValueError(f"{total} registrations wanted, {len(bodies)} bodies prepared")
    baseline_applied = await scalar(line.monitoring_db, APPLIED)
    seen_decisions, seen_facts = len(line.decisions.messages), len(line.facts.messages)
    counter, stop = MonitoringCounter(line.monitoring_db), asyncio.Event()
    poller = asyncio.create_task(counter.poll(stop))
    cpu_before = line.processes.cpu()

    started = time.monotonic() + 0.05
    sent = [Sent(started + number / rate) for number in range(total)]
    tasks = []
    for body, entry in zip(bodies, sent, strict=False):
        await asyncio.sleep(max(0.0, entry.due - time.monotonic()))
        tasks.append(asyncio.create_task(post(line.client, body, entry)))
    schedule_end = started + total / rate
    _, pending = await asyncio.wait(tasks, timeout=drain)
    for task in pending:  # still unanswered after the drain: counted as not accepted
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    answered = {entry.pseudonym for entry in sent if entry.pseudonym}

    def decided() -> int:
        return len(answered & {key.decode() for _, key, envelope
                               in line.decisions.messages[seen_decisions:]
                               if envelope["type"] in DECISIONS and key})

    def facts_seen() -> int:
        return sum(1 for _, _, envelope in line.facts.messages[seen_facts:]
                   if envelope["type"] in DECISION_FACTS)

    async def drained() -> bool:
        # Every accepted registration decided, and monitoring has applied every decision
        # fact on the topic — re-announcements of people already waiting included, which
        # the rank matching in :func:`follow` counts too.
        return bool(counter.samples) and decided() >= len(answered) and \
            counter.samples[-1][1] - baseline_applied >= max(len(answered), facts_seen())
    with contextlib.suppress(TimeoutError):  # the stragglers count as missing
        await wait_until(drained, "every decision fact in monitoring",
                         max(1.0, schedule_end + drain - time.monotonic()), 0.05)
    cpu_after = line.processes.cpu()
    cpu_seconds = spent_between(cpu_before, cpu_after)
    cpu_by_process = {label: value - cpu_before.get(label, 0.0)
                      for label, value in cpu_after.items()}
    cpu_window = time.monotonic() - (started - 0.05)
    stop.set()
    await poller
    first_decision: dict[str, float] = {}
    for moment, key, envelope in line.decisions.messages[seen_decisions:]:
        if envelope["type"] in DECISIONS and key:
            first_decision.setdefault(key.decode(), moment)
    fact_times = sorted(moment for moment, _, envelope in line.facts.messages[seen_facts:]
                        if envelope["type"] in DECISION_FACTS)
    return {"sent": sent, "first_decision": first_decision, "fact_times": fact_times,
            "counter": counter, "baseline_applied": baseline_applied,
            "started": started, "schedule_end": schedule_end, "cpu_seconds": cpu_seconds,
            "cpu_window_seconds": cpu_window, "cpu_by_process": cpu_by_process}


@dataclass
class Followed:
    """Each registration followed through: latencies in ms from its due time, in due order,
    of those that got that far."""

    posted: list[float]
    decided: list[float]
    visible: list[float]
    #: Answered 201, but not seen decided or on the dashboard.
    missing: int
    #: Of those: never decided (no decision on the placements topic for the pseudonym).
    undecided: int
    #: Answered with anything but 201, or failed on the connection.
    refused: int
    #: Neither answered nor refused (still open when the drain ended).
    unanswered: int
    #: ``visible`` by pseudonym, for following one registration (:mod:`bench.b4_stages`).
    visible_by_pseudonym: dict[str, float] = field(default_factory=dict)


def follow(found: dict[str, Any]) -> Followed:
    sent: list[Sent] = found["sent"]
    counter: MonitoringCounter = found["counter"]
    decided_at = sorted(found["first_decision"][entry.pseudonym] for entry in sent
                        if entry.pseudonym in found["first_decision"])
    out = Followed([], [], [], 0, 0, 0, 0)
    for entry in sent:
        if entry.answered is None:
            if entry.error is None:
                out.unanswered += 1
            else:
                out.refused += 1
            continue
        out.posted.append((entry.answered - entry.due) * 1000)
        moment = found["first_decision"].get(entry.pseudonym)
        if moment is None:
            out.missing += 1
            out.undecided += 1
            continue
        out.decided.append((moment - entry.due) * 1000)
        rank = bisect.bisect_right(decided_at, moment)
        facts_by_then = bisect.bisect_right(found["fact_times"], moment)
        shown = counter.first_reaching(found["baseline_applied"] + max(rank, facts_by_then))
        if shown is None:
            out.missing += 1
            continue
        out.visible.append((max(shown, moment) - entry.due) * 1000)
        out.visible_by_pseudonym[entry.pseudonym] = out.visible[-1]
    return out


def step_of(found: dict[str, Any], rate: float, seconds: float,
            idle_cpu_per_second: float = 0.0) -> Step:
    """A staircase step from what :func:`measure` found; ``idle_cpu_per_second`` is what the
    same processes spend doing nothing (their share of the step's CPU is in the details)."""
    sent: list[Sent] = found["sent"]
    followed = follow(found)
    in_time = found["schedule_end"] + ANSWER_GRACE_SECONDS
    accepted = sum(1 for entry in sent if entry.answered is not None and entry.answered <= in_time)
    return Step(rate, seconds, len(sent), accepted, followed.refused, followed.visible,
                followed.missing, found["cpu_seconds"],
                [(entry.sent - entry.due) * 1000 for entry in sent if entry.sent is not None],
                {"unanswered": followed.unanswered, "undecided": followed.undecided,
                 "cpu_window_seconds": round(found["cpu_window_seconds"], 1),
                 "cpu_ms_per_registration_by_process": {
                     label: round(spent * 1000 / max(1, len(sent) - followed.refused), 2)
                     for label, spent in found["cpu_by_process"].items()},
                 "idle_cpu_ms_per_registration": round(
                     idle_cpu_per_second * found["cpu_window_seconds"] * 1000
                     / max(1, len(sent) - followed.refused), 2),
                 "post_p95_ms": round(percentile(followed.posted, 0.95), 1)
                 if followed.posted else None})


async def staircase(bootstrap: str, folder: Path, bodies: list[dict[str, Any]],
                    rates: tuple[float, ...], seconds: float) -> list[Step]:
    """The climb on one pipeline; each step registers people not registered before."""
    async with pipeline(bootstrap, folder, bodies[-WARM_UP:]) as line:
        unused = bodies[:-WARM_UP]
        # What the services spend idle (consumers polling, repeating jobs): reported with
        # each step, so that a low step's CPU per registration can be read.
        before, idle_started = line.processes.cpu(), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        idle = spent_between(before, line.processes.cpu()) / (time.monotonic() - idle_started)
        print(f"  idle: {idle * 1000:.0f} CPU-ms per second across the services", flush=True)

        async def one(rate: float) -> Step:
            nonlocal unused
            found = await measure(line, unused, rate, seconds, STEP_DRAIN_SECONDS)
            unused = unused[len(found["sent"]):]
            step = step_of(found, rate, seconds, idle)
            print(f"  {rate:g}/s: " + ("sustained" if step.sustained
                                       else "; ".join(step.why_not_sustained())) +
                  f" (p95 {step.p95_ms or 0:.0f} ms, {step.cpu_ms_per_registration:.1f} ms "
                  "CPU per registration)", flush=True)
            return step

        return await climb(one, rates)


async def hold(bootstrap: str, folder: Path, bodies: list[dict[str, Any]], rate: float,
               seconds: float, drain: float) -> dict[str, Any]:
    """One run at ``rate`` on a fresh pipeline; the peak memory of its processes."""
    async with pipeline(bootstrap, folder, bodies[-WARM_UP:]) as line:
        found = await measure(line, bodies[:-WARM_UP], rate, seconds, drain)
        found["memory"] = line.processes.peak_rss_mb()
        return found


def run(rates: tuple[float, ...] = RATES, step_seconds: float = STEP_SECONDS,
        hold_seconds: float = HOLD_SECONDS, drain: float = 120) -> list[Figure]:
    bodies = distinct_bodies()
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        steps = asyncio.run(staircase(started.bootstrap_servers, Path(folder), bodies, rates,
                                      step_seconds))
    best = highest_sustained(steps)
    # Nothing sustained: the hold runs at 70 % of the lowest step, and says so.
    top = best.rate if best else rates[0]
    rate = round(HOLD_SHARE * top, 1)
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(hold(started.bootstrap_servers, Path(folder), bodies, rate,
                                 hold_seconds, drain))
    return figures(steps, best, rate, hold_seconds, drain, found)


def figures(steps: list[Step], best: Step | None, rate: float, seconds: float, drain: float,
            found: dict[str, Any]) -> list[Figure]:
    followed = follow(found)
    lost = followed.missing + followed.refused + followed.unanswered
    # A registration that never became visible within the drain time counts as slower than
    # every measured one: the percentiles then say "at least".
    ceiling = (found["schedule_end"] - found["started"] + drain) * 1000
    everything = followed.visible + [ceiling] * lost

    def at(values: list[float], share: float) -> float:
        return round(percentile(values, share), 1) if values else ceiling

    lag = sorted((entry.sent - entry.due) * 1000 for entry in found["sent"]
                 if entry.sent is not None)
    staircase_details = {"steps": [step.summary() for step in steps],
                         "method": "open loop, latency from the due time; sustained: see "
                                   "bench/staircase.py"}
    registrations = len(found["sent"])
    hold_details = {
        "registrations": registrations, "rate_per_s": rate, "seconds": seconds,
        "of_sustained_rate_per_s": best.rate if best else None,
        "not_visible_within_drain": lost, "undecided": followed.undecided,
        "drain_seconds": drain,
        "post_ms": {"p50": at(followed.posted, 0.5), "p95": at(followed.posted, 0.95),
                    "p99": at(followed.posted, 0.99)},
        "decided_ms": {"p50": at(followed.decided, 0.5), "p95": at(followed.decided, 0.95),
                       "p99": at(followed.decided, 0.99)},
        "visible_ms": {"p50": at(everything, 0.5), "p95": at(everything, 0.95),
                       "p99": at(everything, 0.99)},
        "load_lag_ms": {"p50": round(percentile(lag, 0.5), 2),
                        "p99": round(percentile(lag, 0.99), 2),
                        "max": round(lag[-1], 2)} if lag else None,
        "cpu_ms_per_registration": round(found["cpu_seconds"] * 1000
                                         / max(1, registrations), 2),
        "cpu_ms_per_registration_by_process": {
            label: round(spent * 1000 / max(1, registrations), 2)
            for label, spent in found["cpu_by_process"].items()},
        "method": "per-pseudonym decision on the placements topic; monitoring's applied "
                  "decision-fact counter matched by rank (see bench/b4_end_to_end.py)"}
    p95 = hold_details["visible_ms"]["p95"]
    top = best.rate if best else 0.0
    cpu = best.cpu_ms_per_registration if best else steps[0].cpu_ms_per_registration
    out = [
        Figure("B4", "highest sustained registration rate (open-loop staircase)", top, "/s",
               None, "", None, "reported (the pipeline's capacity on this machine)",
               best is not None, staircase_details),
        Figure("B4", f"CPU per registration, all service processes, at {top:g}/s"
                     if best else "CPU per registration, all service processes (lowest step, "
                                  "not sustained)",
               cpu, "ms", None, "", cpu / TARGET_CPU_MS, f"≤ {TARGET_CPU_MS:g} ms",
               best is not None and cpu <= TARGET_CPU_MS,
               {"at_rate_per_s": best.rate if best else steps[0].rate,
                "cpu_seconds": round(best.cpu_seconds if best else steps[0].cpu_seconds, 2),
                "source": "/proc/<pid>/stat utime+stime of every service process and its "
                          "children, from the step's start until drained"}),
        Figure("B4", f"end to end p95 at 70 % of it ({rate:g}/s for {seconds:g} s)", p95,
               "ms", None, "", p95 / TARGET_P95_MS, f"p95 ≤ {TARGET_P95_MS:g} ms",
               best is not None and p95 <= TARGET_P95_MS and not lost, hold_details),
    ]
    out += [Figure("B6", f"peak RSS of {name} at 70 % of the sustained rate", megabytes,
                   "MB", None, "", megabytes / TARGET_RSS_MB, f"≤ {TARGET_RSS_MB:g} MB",
                   megabytes <= TARGET_RSS_MB, {"source": "VmHWM", "rate_per_s": rate})
            for name, megabytes in found["memory"].items()]
    return out
