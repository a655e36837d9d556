"""B3: registrations over HTTP into intake (validation, identity encryption, blind-index
duplicate check, case and outbox rows in one transaction) with concurrent clients, against a
bare FastAPI endpoint that inserts the same JSON body as one row into the same kind of
database (``bench/bare_app.py``: same uvicorn options, same engine factory). Both run as their
own process; both get the same synthetic arrivals from the same number of clients.

A registration that intake answers with 409 (similar name and birthday: a suspected
duplicate) is sent again with the desk's decision ``different_person``, as staff would; its
latency is that of both requests, and the count is reported."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from ankommen.tools import demo
from ankommen.tools.synthetic import county
from bench.harness import broker, database
from bench.results import Figure
from bench.stack import percentile, stack
from tests.support.tokens import ISSUER

CLIENTS = 16


async def closed_loop(bodies: list[dict[str, Any]], clients: int,
                      send: Callable[[dict[str, Any]], Awaitable[None]]
                      ) -> tuple[float, list[float]]:
    """``clients`` workers each sending the next body as soon as their last one is
    answered; returns (seconds for all, latency of each)."""
    pending = iter(bodies)
    latencies: list[float] = []

    async def worker() -> None:
        for body in pending:
            started = time.perf_counter()
            await send(body)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return time.perf_counter() - started, latencies


async def scenario(bootstrap: str, folder: Path, count: int, clients: int) -> dict[str, Any]:
    bodies = [arrival.body() for arrival in county(count, 10, date.today()).arrivals]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with database(folder, "intake") as intake_url, \
            database(folder, "bare") as bare_url, \
            stack(bootstrap, folder, {"intake": intake_url}) as running:
        await running.start("intake")
        bare = await running.start_app("bare", "bench.bare_app:create_app",
                                       {"BENCH_DATABASE_URL": bare_url})
        outcomes: list[str] = []
        intake_stack = demo.Stack({"intake": running.url("intake")}, ISSUER)
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:
            async def register(body: dict[str, Any]) -> None:
                outcomes.append(await demo.register(client, intake_stack, body))

            # A few registrations first: connections, caches and the first-use paths warm.
            warm = [arrival.body() for arrival in
                    county(clients, 10, date.today(), seed=99).arrivals]
            await closed_loop(warm, clients, register)
            intake_seconds, intake_latencies = await closed_loop(bodies, clients, register)

        async with httpx.AsyncClient(base_url=bare.base_url, limits=limits,
                                     timeout=120) as client:
            async def insert(body: dict[str, Any]) -> None:
                (await client.post("/cases", json=body)).raise_for_status()

            await closed_loop(bodies[:clients], clients, insert)
            bare_seconds, bare_latencies = await closed_loop(bodies, clients, insert)
        return {"intake_seconds": intake_seconds, "intake_latencies": intake_latencies,
                "bare_seconds": bare_seconds, "bare_latencies": bare_latencies,
                "known": outcomes.count("known"), "peak_rss_mb": running.peak_memory()}


def run(count: int = 2_000, clients: int = CLIENTS) -> list[Figure]:
    with broker() as embedded, tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(scenario(embedded.bootstrap_servers, Path(folder), count, clients))
    rate, bare_rate = count / found["intake_seconds"], count / found["bare_seconds"]

    def ms(latencies: list[float], share: float) -> float:
        return round(percentile(latencies, share) * 1000, 1)

    details = {"registrations": count, "clients": clients,
               "intake_p50_ms": ms(found["intake_latencies"], 0.5),
               "intake_p99_ms": ms(found["intake_latencies"], 0.99),
               "bare_p50_ms": ms(found["bare_latencies"], 0.5),
               "bare_p99_ms": ms(found["bare_latencies"], 0.99),
               "peak_rss_mb": found["peak_rss_mb"]}
    return [
        Figure("B3", f"intake registrations over HTTP, {clients} clients", rate, "/s",
               bare_rate, "bare FastAPI + one-row insert, same DB (/s)", rate / bare_rate,
               "ratio ≥ 0.5", rate / bare_rate >= 0.5, details),
        Figure("B3", "intake registration latency p50", details["intake_p50_ms"], "ms",
               details["bare_p50_ms"], "bare endpoint p50 (ms)",
               details["intake_p50_ms"] / details["bare_p50_ms"], "reported", True, {}),
        Figure("B3", "intake registration latency p99", details["intake_p99_ms"], "ms",
               details["bare_p99_ms"], "bare endpoint p99 (ms)",
               details["intake_p99_ms"] / details["bare_p99_ms"], "reported", True, {}),
    ]
