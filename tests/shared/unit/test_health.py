"""/readyz: the database decides readiness, the broker is only shown (the outbox carries
registrations through a broker outage, so a load balancer must keep sending requests)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ankommen.shared.web.health import health_router


def app_with(database: bool, broker: bool) -> FastAPI:
    async def database_ready() -> bool:
        return database

    async def broker_ready() -> bool:
        if not broker:
            raise ConnectionError("broker away")  # a failing check is "unavailable", not a 500
        return True

    app = FastAPI()
    async def parked() -> int:
        if not database:
            raise ConnectionError("database away")
        return 2

    app.include_router(health_router(required={"database": database_ready},
                                     reported={"broker": broker_ready},
                                     details={"outbox_parked": parked}))
    return app


async def readiness(database: bool, broker: bool) -> httpx.Response:
    transport = httpx.ASGITransport(app=app_with(database, broker))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/readyz")


async def test_ready_without_the_broker_and_says_so():
    response = await readiness(database=True, broker=False)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "connected": False,
                               "components": {"database": "ok", "broker": "unavailable"},
                               "outbox_parked": 2}


async def test_connected_when_every_component_answers():
    response = await readiness(database=True, broker=True)
    assert response.status_code == 200
    assert response.json()["connected"] is True


async def test_not_ready_without_the_database():
    response = await readiness(database=False, broker=True)
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "connected": False,
                               "components": {"database": "unavailable", "broker": "ok"},
                               "outbox_parked": None}
