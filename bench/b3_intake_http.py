"""B3: registrations over HTTP into intake (validation, identity encryption, blind-index
duplicate check, case and outbox rows in one transaction) against a bare FastAPI endpoint that
inserts the same JSON body as one row into the same kind of database (``bench/bare_app.py``:
served like the services, same engine factory). Both run as their own process.

The load comes from Debian's ``wrk`` (compiled; ``bench/wrk/registrations.lua``), pinned to
the first core with ``taskset``, the service under test pinned to the second: a Python load
client used a whole core for ~650 requests/s and so measured itself, not the bare baseline
(issue 21). Besides the rate, the service's own CPU-seconds per request are taken from
``/proc/<pid>/stat`` (user + system, every thread) before and after the measured run — the
figure that does not depend on how busy the shared machine is.

Every body is a clearly different invented person (see :func:`distinct_bodies`),
so intake's duplicate check finds no candidate and never answers 409; any answer but 201 is
counted (409 as a conflict, others as refused) and reported; the service's CPU is divided by
the registrations it created."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ankommen.intake.domain.match_model import MODEL
from ankommen.intake.domain.matching import Comparable, blocking_keys
from ankommen.shared.identity.auth import Role
from ankommen.tools.synthetic import county
from bench.harness import broker, database
from bench.processes import cpu_seconds
from bench.results import Figure
from bench.stack import headers, stack

CONNECTIONS = 16
WARM_SECONDS = 3
MEASURED_SECONDS = 15
#: Invented people generated; those intake does not take for one another are kept, enough for
#: intake's measured run at well above its rate.
PEOPLE = 15_000
WARM_PEOPLE = 1_000
LOAD_CORE, SERVICE_CORE = 0, 1
SCRIPT = Path(__file__).resolve().parent / "wrk" / "registrations.lua"


@dataclass(frozen=True)
class Run:
    """One wrk run against one service: what wrk saw and what the service spent."""

    requests: int
    created: int
    #: 409: intake suspected a duplicate (none expected: every body is another person).
    conflicts: int
    #: Any other answer but 201.
    refused: int
    socket_errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.created / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds / max(1, self.created) * 1000


def distinct_bodies(people: int = PEOPLE) -> list[dict[str, Any]]:
    """Registration bodies of people intake would not take for one another. The synthetic
    county draws names from short lists, so two of its people may share names and a
    birthday — intake's duplicate check rightly suspects them and answers 409. A person is
    kept only if the check's own model (:data:`MODEL`) scores them below its warning
    threshold against every person kept before who shares a blocking key, as intake compares
    them (:func:`blocking_keys`)."""
    kept: dict[str, list[Comparable]] = defaultdict(list)
    bodies = []
    for arrival in county(people, 10, date.today()).arrivals:
        body = arrival.body()
        identity = body["identity"]
        record = Comparable.of(
            identity["family_name"], identity["given_names"],
            date.fromisoformat(identity["birth_date"]), gender=body["survey"].get("gender"),
            nationalities=identity.get("nationalities", ()),
            birth_place=identity.get("birth_place"),
            file_numbers=[(number["kind"], number["number"])
                          for number in identity.get("file_numbers", ())])
        keys = blocking_keys(record)
        others = {id(other): other for key in keys for other in kept[key]}.values()
        if not any(MODEL.is_possible_duplicate(MODEL.weight(record, other))
                   for other in others):
            for key in keys:
                kept[key].append(record)
            bodies.append(body)
    return bodies


def wrk_command() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing: `make bench` installs Debian's wrk")
    return found


def pinned() -> bool:
    return len(os.sched_getaffinity(0)) > SERVICE_CORE


def pin_service(pid: int) -> None:
    """Every thread of the service onto its own core (threads started later inherit it)."""
    if pinned():
        subprocess.run(["taskset", "--all-tasks", "--pid", "--cpu-list", str(SERVICE_CORE),
                        str(pid)], check=True, stdout=subprocess.DEVNULL)


def wrk(base_url: str, bodies: Path, authorization: str, seconds: int, pid: int) -> Run:
    """One wrk run (one thread, ``CONNECTIONS`` kept-alive connections) on the load core."""
    command = [wrk_command(), "--threads", "1", "--connections", str(CONNECTIONS),
               "--duration", f"{seconds}s", "--timeout", "30s", "--script", str(SCRIPT),
               base_url]
    if pinned():
        command = ["taskset", "--cpu-list", str(LOAD_CORE), *command]
    environment = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_THREADS": "1",
                   "BENCH_AUTHORIZATION": authorization}
    before = cpu_seconds(pid)
    finished = subprocess.run(command, env=environment, capture_output=True, text=True,
                              check=True)
    spent = cpu_seconds(pid) - before
    line = next(line for line in reversed(finished.stdout.splitlines())
                if line.startswith("{"))
    return Run(**json.loads(line), cpu_seconds=spent)


def write_bodies(path: Path, bodies: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(body, ensure_ascii=False) + "\n" for body in bodies))
    return path


async def scenario(bootstrap: str, folder: Path) -> dict[str, Any]:
    bodies = distinct_bodies()
    warm = write_bodies(folder / "warm.jsonl", bodies[:WARM_PEOPLE])
    measured = write_bodies(folder / "measured.jsonl", bodies[WARM_PEOPLE:])
    authorization = headers(Role.INTAKE_STAFF)["Authorization"]
    async with database(folder, "intake") as intake_url, \
            database(folder, "bare") as bare_url, \
            stack(bootstrap, folder, {"intake": intake_url}) as running:
        intake = await running.start("intake")
        bare = await running.start_app("bare", "bench.bare_app:create_app",
                                       {"BENCH_DATABASE_URL": bare_url})
        runs: dict[str, Run] = {}
        for name, process in (("intake", intake), ("bare", bare)):
            pid = process.process.pid
            pin_service(pid)
            # Connections, caches and first-use paths warm, on bodies of other people.
            await asyncio.to_thread(wrk, process.base_url, warm, authorization,
                                    WARM_SECONDS, pid)
            runs[name] = await asyncio.to_thread(wrk, process.base_url, measured,
                                                 authorization, MEASURED_SECONDS, pid)
        return {"runs": runs, "distinct_bodies": len(bodies) - WARM_PEOPLE,
                "peak_rss_mb": running.peak_memory()}


def run() -> list[Figure]:
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(scenario(started.bootstrap_servers, Path(folder)))
    intake, bare = found["runs"]["intake"], found["runs"]["bare"]
    details = {"load": f"wrk, 1 thread, {CONNECTIONS} connections, {MEASURED_SECONDS} s "
                       f"after {WARM_SECONDS} s warm-up",
               "pinned": f"wrk on core {LOAD_CORE}, service on core {SERVICE_CORE}"
               if pinned() else "not pinned (fewer than 2 cores)",
               "distinct_bodies": found["distinct_bodies"],
               **{f"{name}_{key}": value for name, one in found["runs"].items()
                  for key, value in {"created": one.created, "conflicts": one.conflicts,
                                     "refused": one.refused,
                                     "socket_errors": one.socket_errors,
                                     "seconds": round(one.seconds, 2),
                                     "cpu_seconds": round(one.cpu_seconds, 2),
                                     "p50_ms": one.p50_ms, "p99_ms": one.p99_ms}.items()},
               "peak_rss_mb": found["peak_rss_mb"]}
    cpu_ratio = intake.cpu_ms_per_request / bare.cpu_ms_per_request
    rate_ratio = intake.rate / bare.rate
    clean = (intake.conflicts == intake.refused == bare.refused == 0
             and intake.socket_errors == bare.socket_errors == 0)
    return [
        Figure("B3", "intake CPU per registration (wrk, service on its own core)",
               intake.cpu_ms_per_request, "ms", bare.cpu_ms_per_request,
               "bare insert CPU per request (ms)", cpu_ratio, "ratio ≤ 2",
               cpu_ratio <= 2 and clean, details),
        Figure("B3", f"intake registrations over HTTP (wrk, {CONNECTIONS} connections)",
               intake.rate, "/s", bare.rate, "bare FastAPI + one-row insert, same DB (/s)",
               rate_ratio, "ratio ≥ 0.5", rate_ratio >= 0.5 and clean, {}),
        Figure("B3", "intake registration latency p50", intake.p50_ms, "ms", bare.p50_ms,
               "bare endpoint p50 (ms)", intake.p50_ms / bare.p50_ms, "reported", True, {}),
        Figure("B3", "intake registration latency p99", intake.p99_ms, "ms", bare.p99_ms,
               "bare endpoint p99 (ms)", intake.p99_ms / bare.p99_ms, "reported", True, {}),
    ]
