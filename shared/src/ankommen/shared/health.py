"""Liveness and readiness, the same on every service.

``/healthz`` says the process is up (for restarts); ``/readyz`` says it can do its work — the
database answers and the broker is reachable — so a load balancer only sends traffic that can
be served. Both are unauthenticated and reveal nothing but component states.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]


def health_router(checks: dict[str, Check], timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and broker are reachable",
                responses={503: {"description": "A component is not reachable"}})
    async def readyz() -> JSONResponse:
        async def run(check: Check) -> bool:
            try:
                return await asyncio.wait_for(check(), timeout)
            except Exception:  # a failing check means "not ready", never a 500
                return False

        results = await asyncio.gather(*(run(check) for check in checks.values()))
        components = {name: "ok" if ok else "unavailable"
                      for name, ok in zip(checks, results, strict=True)}
        ready = all(results)
        return JSONResponse({"status": "ready" if ready else "not ready",
                             "components": components}, status_code=200 if ready else 503)

    return router
