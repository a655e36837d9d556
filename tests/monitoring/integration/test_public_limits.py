"""The public limits on the real monitoring app (in process, as served): the distinct-table cap
and the rate limit guard the statistics and the pages, not the operators' endpoints."""

from __future__ import annotations

from ankommen.shared.identity.auth import Role
from tests.support.services import in_process, token


async def test_public_statistics_and_pages_are_limited_per_client_but_operations_are_not(
        kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring"),
                          tables_per_client_per_day=3) as monitoring:
        client = monitoring.client
        tables = [await client.get(path) for path in (
            "/statistics/arrivals", "/statistics/placements", "/statistics/waitlisted")]
        fourth = await client.get("/statistics/transitions")
        seen = await client.get("/statistics/arrivals.csv")
        # The rest of the minute's 120 requests (the cap's 5 counted too) …
        for _ in range(115):
            assert (await client.get("/statistics/arrivals")).status_code != 429
        api = await client.get("/statistics/arrivals")
        page = await client.get("/report")
        status = await client.get("/status", headers=token(Role.ADMIN))
        review = await client.get("/review", headers=token(Role.ADMIN))
    assert [table.status_code for table in tables] == [200] * 3
    assert fourth.status_code == 429 and "table limit" in fourth.json()["detail"]
    assert int(fourth.headers["Retry-After"]) >= 1
    assert seen.status_code == 200
    assert api.status_code == 429 and "rate limit" in api.json()["detail"]
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "Zu viele Abfragen" in page.text
    assert status.status_code == 200 and review.status_code == 200
