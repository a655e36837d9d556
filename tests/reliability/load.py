"""Steady load for the outage tests: requests sent in a loop until stopped, every answer
kept, so that afterwards each accepted request can be followed to its effects and each refused
one checked for having none."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class Answer:
    key: str
    status: int
    headers: dict[str, str]
    body: dict
    #: Seconds since the load started (to tell answers before, during and after an outage).
    at: float


@dataclass
class Load:
    """Calls ``send(client, key)`` with fresh keys (``prefix-0``, ``prefix-1`` …) in a loop."""

    base_url: str
    send: Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]
    prefix: str
    concurrency: int = 2
    answers: list[Answer] = field(default_factory=list)
    transport_errors: int = 0

    def accepted(self) -> list[Answer]:
        return [answer for answer in self.answers if 200 <= answer.status < 300]

    def refused(self, status: int = 503) -> list[Answer]:
        return [answer for answer in self.answers if answer.status == status]

    def unexpected(self) -> list[Answer]:
        return [answer for answer in self.answers
                if not (200 <= answer.status < 300 or answer.status == 503)]


@contextlib.asynccontextmanager
async def steady(load: Load) -> AsyncIterator[Load]:
    counter = itertools.count()
    loop = asyncio.get_running_loop()
    started = loop.time()
    stopping = asyncio.Event()

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as client:
            while not stopping.is_set():
                key = f"{load.prefix}-{next(counter)}"
                try:
                    response = await load.send(client, key)
                except httpx.TransportError:
                    load.transport_errors += 1
                    await asyncio.sleep(0.2)
                    continue
                body = response.json() if response.content else {}
                load.answers.append(Answer(key, response.status_code, dict(response.headers),
                                           body, loop.time() - started))
                await asyncio.sleep(0.05)

    workers = [asyncio.create_task(worker()) for _ in range(load.concurrency)]
    try:
        yield load
    finally:
        stopping.set()
        await asyncio.gather(*workers)
