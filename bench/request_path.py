"""``python -m bench.request_path``: what two parts of every API request cost, before and after
issue 21's cheaper request path (docs/decisions/0004-intake-request-path.md).

1. **Authentication.** The same FastAPI route behind the role check as a plain (``def``)
   dependency — which FastAPI runs in its thread pool, a thread hop per request, as
   :meth:`Authenticator.require` was — and as the ``async`` dependency it is now. Requests go
   through httpx's ASGI transport in this process, one after another: the figures are CPU
   and wall time per request of the whole process.
2. **Database checkout.** One short transaction (``SELECT 1``) per checkout from a pool of
   the PostgreSQL engine, with ``pool_pre_ping`` (a ``SELECT 1`` round trip before every
   checkout, as before) and without (now). Needs ``ANKOMMEN_BENCH_POSTGRES_URL``.

Not part of ``make bench`` (no target; it measures a mechanism, not the system)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ankommen.shared.identity.auth import Authenticator, Principal, Role, TokenVerifier, _bearer
from tests.support.tokens import ISSUER

REQUESTS = 5_000
CHECKOUTS = 3_000


def _app(dependency: object) -> FastAPI:
    app = FastAPI()

    @app.get("/cases")
    async def cases(principal: Principal = dependency) -> dict[str, str]:
        return {"subject": principal.subject}

    return app


def _thread_pool_dependency(auth: Authenticator) -> object:
    """The role check as it was: a plain function, so FastAPI runs it in a thread."""

    def dependency(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(_bearer)]) -> Principal:
        assert credentials is not None
        return auth.verify(credentials.credentials)

    return Depends(dependency)


async def _timed(count: int, once: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(CPU µs, wall µs) per call of ``once``, after a warm-up."""
    for _ in range(200):
        await once()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        await once()
    return ((time.process_time() - cpu) / count * 1e6,
            (time.perf_counter() - wall) / count * 1e6)


async def authentication() -> None:
    auth = Authenticator(TokenVerifier([ISSUER.public_key]))
    headers = {"Authorization": f"Bearer {ISSUER.issue(Role.INTAKE_STAFF, 'desk')}"}
    for name, dependency in (("thread pool (before)", _thread_pool_dependency(auth)),
                             ("async (now)", auth.require(Role.INTAKE_STAFF))):
        transport = httpx.ASGITransport(app=_app(dependency))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            async def once() -> None:
                (await client.get("/cases", headers=headers)).raise_for_status()

            cpu, wall = await _timed(REQUESTS, once)
        print(f"auth {name:22} CPU {cpu:7.0f} µs/request, wall {wall:7.0f} µs/request")


def _one_transaction(engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    async def once() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return once


async def checkout(url: str) -> None:
    for name, pre_ping in (("pre-ping (before)", True), ("no pre-ping (now)", False)):
        engine = create_async_engine(url, pool_pre_ping=pre_ping, pool_size=5)
        try:
            cpu, wall = await _timed(CHECKOUTS, _one_transaction(engine))
        finally:
            await engine.dispose()
        print(f"db   {name:22} CPU {cpu:7.0f} µs/checkout, wall {wall:7.0f} µs/checkout")


async def main() -> None:
    await authentication()
    url = os.environ.get("ANKOMMEN_BENCH_POSTGRES_URL")
    if url:
        await checkout(url)
    else:
        print("db   skipped: ANKOMMEN_BENCH_POSTGRES_URL is not set")


if __name__ == "__main__":
    asyncio.run(main())
