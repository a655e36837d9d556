"""Liveness and readiness, the same on every service.

``/healthz`` says the process is up (for restarts). ``/readyz`` says whether the service can
take work: that needs its database, not the broker — events wait in the outbox while the broker
is away and go out when it is back, so a load balancer should keep sending requests. The broker
(and any other component that does not decide readiness) is still checked and shown in
``components``, so monitoring and operators see it; ``connected`` is true only when every
component answers. ``details`` adds figures an operator must act on without making the service
unready — e.g. ``outbox_parked``, outbox rows the broker refused for good (``null`` when they
cannot be counted). Both endpoints are unauthenticated and reveal nothing but component states
and such counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[bool]]
Detail = Callable[[], Awaitable[int]]


def health_router(required: dict[str, Check], reported: dict[str, Check] | None = None,
                  details: dict[str, Detail] | None = None, timeout: float = 2.0) -> APIRouter:
    """``required`` components decide readiness (503 while one fails); ``reported`` ones and
    ``details`` are only shown."""
    router = APIRouter(tags=["health"])
    checks = {**required, **(reported or {})}
    details = details or {}

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The service can take work (its database answers); the "
                                   "broker's state is shown but does not decide",
                responses={503: {"description": "A required component is not reachable"}})
    async def readyz() -> JSONResponse:
        async def run(check: Check) -> bool:
            try:
                return await asyncio.wait_for(check(), timeout)
            except Exception:  # a failing check means "not ready", never a 500
                return False

        results = dict(zip(checks, await asyncio.gather(*(run(check)
                                                          for check in checks.values())),
                           strict=True))
        ready = all(results[name] for name in required)
        body: dict[str, object] = {"status": "ready" if ready else "not ready",
                                   "connected": all(results.values()),
                                   "components": {name: "ok" if ok else "unavailable"
                                                  for name, ok in results.items()}}
        for name, detail in details.items():
            try:
                body[name] = await asyncio.wait_for(detail(), timeout)
            except Exception:  # a figure that cannot be had is shown as unknown, never a 500
                body[name] = None
        return JSONResponse(body, status_code=200 if ready else 503)

    return router
