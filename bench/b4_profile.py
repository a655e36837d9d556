"""B4's hold on its own, for profiling one service (issue 21): the pipeline of
:mod:`bench.b4_end_to_end` at a fixed rate, with the idle CPU per second of every process
measured first and, optionally, py-spy attached to one service for the loaded part.

``python -m bench.b4_profile [rate] [seconds] [service] [py-spy output]`` — e.g.
``ANKOMMEN_BENCH_BROKER=kafka python -m bench.b4_profile 14 40 assignment /tmp/a.txt``
(``-f raw``: collapsed stacks, one line each). Prints CPU-ms per registration and idle
CPU-ms per second per process, assignment's allocations (on SQLite: its batches) and the
p50/p95 registration → dashboard."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.b3_intake_http import distinct_bodies
from bench.b4_end_to_end import WARM_UP, follow, measure, pipeline
from bench.harness import broker, database_label
from bench.stack import scalar
from bench.staircase import percentile

PY_SPY = Path.home() / ".local/bin/py-spy"
IDLE_SECONDS = 10.0
#: Assignment's allocation lock counts allocations (one per consumed batch).
ALLOCATIONS = "SELECT runs FROM allocation_lock WHERE id = 1"
SQLITE = database_label() == "sqlite"


async def profile(bootstrap: str, folder: Path, rate: float, seconds: float,
                  service: str | None, output: str | None) -> None:
    bodies = distinct_bodies()
    async with pipeline(bootstrap, folder, bodies[-WARM_UP:]) as line:
        before, started = line.processes.cpu(), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        after, elapsed = line.processes.cpu(), time.monotonic() - started
        for label, value in after.items():
            print(f"idle {label}: {(value - before.get(label, 0.0)) * 1000 / elapsed:.1f} "
                  "CPU-ms/s")
        spy = None
        if service and output:
            spy = await asyncio.create_subprocess_exec(
                str(PY_SPY), "record", "-r", "100", "-f", "raw", "-o", output, "-d",
                str(int(seconds)), "-p", str(line.processes.roots[service]))
        runs = f"sqlite+aiosqlite:///{folder / 'assignment'}.db"
        runs_before = await scalar(runs, ALLOCATIONS) if SQLITE else 0
        found = await measure(line, bodies[:-WARM_UP], rate, seconds, 60)
        if SQLITE:
            allocations = await scalar(runs, ALLOCATIONS) - runs_before
            print(f"assignment: {allocations} allocations (batches and scheduled rounds), "
                  f"{len(found['sent']) / max(1, allocations):.1f} registrations each")
        if spy is not None:
            await spy.wait()
        registrations = len(found["sent"])
        for label, spent in found["cpu_by_process"].items():
            print(f"{label}: {spent * 1000 / registrations:.2f} CPU-ms per registration")
        print(f"total: {found['cpu_seconds'] * 1000 / registrations:.2f} CPU-ms per "
              f"registration over {found['cpu_window_seconds']:.1f} s")
        visible = follow(found).visible
        if visible:
            print(f"visible p50 {percentile(visible, 0.5):.0f} ms, "
                  f"p95 {percentile(visible, 0.95):.0f} ms ({len(visible)} of {registrations})")


def main(argv: list[str]) -> None:
    rate = float(argv[0]) if argv else 14.0
    seconds = float(argv[1]) if len(argv) > 1 else 40.0
    service = argv[2] if len(argv) > 2 else None
    output = argv[3] if len(argv) > 3 else None
    with broker() as started, tempfile.TemporaryDirectory() as folder:
        asyncio.run(profile(started.bootstrap_servers, Path(folder), rate, seconds, service,
                            output))


if __name__ == "__main__":
    main(sys.argv[1:])
