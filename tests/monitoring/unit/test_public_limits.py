"""Monitoring's public limits (entrypoints/limits.py): the attacks they answer — enumerating
tables fast, enumerating many tables slowly, and coming back under a made-up address — on a
small app with the real dependency, hardening and pages."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI

from ankommen.monitoring.entrypoints.limits import PublicLimits
from ankommen.monitoring.entrypoints.pages import create_pages
from ankommen.shared.errors import install_problem_handlers
from ankommen.shared.settings import parse_networks
from ankommen.shared.web.hardening import harden
from tests.support.services import settings_for


def public_app(trusted_proxies: str = "", **limits: object) -> FastAPI:
    """The monitoring routes' shapes (public statistics and pages, an operator's ``/status``)
    behind the real limits, hardening and 429 pages."""
    statistics = APIRouter(prefix="/statistics")
    pages = APIRouter(include_in_schema=False)
    operations = APIRouter()

    @statistics.get("")
    async def catalogue() -> dict[str, str]:
        return {"measures": "…"}

    @statistics.get("/{measure}.csv")
    async def csv(measure: str) -> str:
        return measure

    @statistics.get("/{measure}")
    async def table(measure: str) -> dict[str, str]:
        return {"measure": measure}

    @pages.get("/")
    async def dashboard() -> str:
        return "dashboard"

    @operations.get("/status")
    async def status() -> str:
        return "status"

    settings = settings_for("monitoring", **limits)
    app = FastAPI()
    install_problem_handlers(app)
    harden(app, secret="test-secret", secure_cookies=False, max_body_size=1024,
           trusted_proxies=parse_networks(trusted_proxies))
    public = PublicLimits(settings, create_pages())
    for router in public.guard([statistics, pages, operations]):
        app.include_router(router)
    public.install(app)
    return app


def client(app: FastAPI, address: str = "192.0.2.10", root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4711), root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url=f"http://monitoring{root_path}")


async def test_the_121st_request_in_a_minute_is_refused_with_retry_after() -> None:
    app = public_app()
    async with client(app) as one, client(app, "192.0.2.20") as other:
        answers = [await one.get("/statistics") for _ in range(121)]
        page = await one.get("/")
        operator = await one.get("/status")
        elsewhere = await other.get("/statistics")
    assert [answer.status_code for answer in answers] == [200] * 120 + [429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "rate limit" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # The pages share the budget and say so in German.
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert page.headers["content-type"].startswith("text/html")
    assert "Zu viele Abfragen" in page.text and "Sekunden" in page.text
    # Operators' endpoints are not public: not limited here; another client is unaffected.
    assert operator.status_code == 200
    assert elsewhere.status_code == 200


async def test_the_1001st_distinct_table_of_a_day_is_refused_but_seen_ones_are_answered(
        ) -> None:
    app = public_app(public_rate_limit="5000/minute")
    async with client(app) as one, client(app, "192.0.2.20") as other:
        first = [await one.get("/statistics/arrivals", params={"period": f"{2000 + n // 4}-Q"
                                                                          f"{n % 4 + 1}"})
                 for n in range(1000)]
        new = await one.get("/statistics/arrivals", params={"period": "2026-10"})
        # The same table again — as CSV, with its parameters in another order, in English.
        again = await one.get("/statistics/arrivals.csv", params={"period": "2000-Q1"})
        same = await one.get("/statistics/arrivals?lang=en&period=2000-Q2")
        elsewhere = await other.get("/statistics/arrivals", params={"period": "2026-10"})
    assert all(answer.status_code == 200 for answer in first)
    assert new.status_code == 429, new.text
    assert "table limit" in new.json()["detail"] and "1000" in new.json()["detail"]
    assert int(new.headers["Retry-After"]) >= 1
    assert again.status_code == 200 and same.status_code == 200
    assert elsewhere.status_code == 200


async def test_the_order_of_parameters_does_not_make_a_new_table() -> None:
    app = public_app(tables_per_client_per_day=1)
    async with client(app) as one:
        answers = [await one.get(path) for path in (
            "/statistics/arrivals?by=gender&district=03351&period=2026",
            "/statistics/arrivals.csv?period=2026&district=03351&by=gender",
            "/statistics/arrivals?period=2026&by=gender&lang=en&district=03351",
            "/statistics/arrivals?period=2026&by=gender")]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]


async def test_a_made_up_x_forwarded_for_does_not_give_a_fresh_budget() -> None:
    """From a peer that is no configured proxy the header is not read; behind a configured
    proxy, addresses the client writes in front of the proxy's entry are not believed."""
    direct = public_app(public_rate_limit="3/minute")
    async with client(direct) as attacker:
        spoofed = [(await attacker.get("/statistics", headers={
            "X-Forwarded-For": f"203.0.113.{n}"})).status_code for n in range(4)]
    proxied = public_app(public_rate_limit="3/minute", trusted_proxies="10.0.0.1")
    async with client(proxied, "10.0.0.1") as proxy:
        prepended = [(await proxy.get("/statistics", headers={
            "X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"})).status_code for n in range(4)]
        someone_else = await proxy.get("/statistics", headers={"X-Forwarded-For": "198.51.100.8"})
    assert spoofed == [200, 200, 200, 429]
    assert prepended == [200, 200, 200, 429]
    assert someone_else.status_code == 200


async def test_served_under_a_prefix_the_public_routes_are_limited_all_the_same() -> None:
    app = public_app(public_rate_limit="2/minute")
    async with client(app, root_path="/monitoring") as one:
        answers = [(await one.get("/statistics/arrivals")).status_code for _ in range(3)]
        operator = await one.get("/status")
    assert answers == [200, 200, 429]
    assert operator.status_code == 200
