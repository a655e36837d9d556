"""Issue 21, item 2: what moving the outbox relay out of the web process saves, and what it
costs in delay.

B3's load (``wrk``, one thread, 16 connections, on core 0; intake's web process alone on
core 1, see :mod:`bench.b3_intake_http`) against intake twice: once relaying inline, once with
``ANKOMMEN_INTAKE_OUTBOX_RELAY=separate`` and an ``ankommen-intake relay`` process (pinned to
core 0 beside wrk, so that it does not take the web process's core). Measured per mode: the
web process's CPU-seconds per registration (``/proc``), the relay process's, the rate, and
the delay from an outbox row's creation (in the registration's transaction, just before its
commit) to its stamp (after the broker acknowledged it): p50 / p95 over every registration of
the measured run.

``python -m bench.relay_separate`` (SQLite; ``ANKOMMEN_BENCH_POSTGRES_URL=…`` for PostgreSQL)
prints one JSON line per mode. Not part of ``make bench``; its runs are quoted in
docs/decisions/0010-outbox-relay-in-its-own-process.md.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ankommen.intake.app import DEFINITION
from ankommen.shared.db.engine import create_engine
from ankommen.shared.identity.auth import Role
from bench.b3_intake_http import (
    LOAD_CORE,
    MEASURED_SECONDS,
    WARM_PEOPLE,
    WARM_SECONDS,
    cpu_seconds,
    distinct_bodies,
    pin_service,
    pinned,
    write_bodies,
    wrk,
)
from bench.harness import broker, database, database_label
from bench.stack import headers, percentile, stack
from tests.support.services import ServiceProcess

OUTBOX = DEFINITION.tables.outbox


def start_relay(database_url: str, bootstrap: str, folder: Path) -> ServiceProcess:
    relay = ServiceProcess("intake", 0, {
        "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": bootstrap, "ANKOMMEN_DATA_DIR": str(folder),
        "ANKOMMEN_INTAKE_DATABASE_URL": database_url, "ANKOMMEN_INTAKE_OUTBOX_RELAY": "separate",
        "ANKOMMEN_LOG_LEVEL": "INFO"}, folder / "relay.log", command="relay").start()
    deadline = time.monotonic() + 120
    while "outbox relay running" not in relay.log_file.read_text():
        if time.monotonic() > deadline or relay.process.poll() is not None:
            raise RuntimeError(f"the relay did not start; see {relay.log_file}")
        time.sleep(0.2)
    if pinned():
        subprocess.run(["taskset", "--all-tasks", "--pid", "--cpu-list", str(LOAD_CORE),
                        str(relay.process.pid)], check=True, stdout=subprocess.DEVNULL)
    return relay


async def delays_ms(database_url: str) -> list[float]:
    """Creation to stamp of every outbox row, once all are stamped."""
    engine = create_engine(database_url)
    try:
        deadline = time.monotonic() + 120
        while True:
            async with engine.connect() as connection:
                waiting = await connection.scalar(select(func.count()).select_from(OUTBOX).where(
                    OUTBOX.c.published_at.is_(None)))
                if not waiting:
                    rows = (await connection.execute(select(
                        OUTBOX.c.created_at, OUTBOX.c.published_at))).all()
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{waiting} outbox rows never published")
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return [(aware(published) - aware(created)).total_seconds() * 1000
            for created, published in rows]


async def measure(mode: str, bootstrap: str, folder: Path, warm: Path, measured: Path
                  ) -> dict[str, Any]:
    authorization = headers(Role.INTAKE_STAFF)["Authorization"]
    async with database(folder, f"intake_{mode}") as url, \
            stack(bootstrap, folder, {"intake": url}) as running:
        intake = await running.start("intake", outbox_relay=mode)
        relay = start_relay(url, bootstrap, folder) if mode == "separate" else None
        try:
            pid = intake.process.pid
            pin_service(pid)
            await asyncio.to_thread(wrk, intake.base_url, warm, authorization,
                                    WARM_SECONDS, pid)
            relay_before = cpu_seconds(relay.process.pid) if relay else 0.0
            run = await asyncio.to_thread(wrk, intake.base_url, measured, authorization,
                                          MEASURED_SECONDS, pid)
            relay_spent = (cpu_seconds(relay.process.pid) - relay_before) if relay else 0.0
            delays = await delays_ms(url)
        finally:
            if relay:
                relay.stop()
    return {"mode": mode, "database": database_label(), "created": run.created,
            "rate_per_s": round(run.rate, 1),
            "web_cpu_ms_per_registration": round(run.cpu_ms_per_request, 3),
            "relay_cpu_ms_per_registration": round(relay_spent * 1000 / max(1, run.created), 3),
            "p50_ms": run.p50_ms, "p99_ms": run.p99_ms,
            "refused": run.refused + run.conflicts + run.socket_errors,
            "outbox_delay_p50_ms": round(percentile(delays, 0.5), 1),
            "outbox_delay_p95_ms": round(percentile(delays, 0.95), 1)}


async def scenario(bootstrap: str, folder: Path) -> None:
    bodies = distinct_bodies()
    warm = write_bodies(folder / "warm.jsonl", bodies[:WARM_PEOPLE])
    measured = write_bodies(folder / "measured.jsonl", bodies[WARM_PEOPLE:])
    for mode in ("inline", "separate"):
        print(json.dumps(await measure(mode, bootstrap, folder, warm, measured)), flush=True)


def main() -> None:
    with broker() as embedded, tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(embedded.bootstrap_servers, Path(folder)))


if __name__ == "__main__":
    main()
