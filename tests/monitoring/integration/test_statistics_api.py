"""The public statistics API refuses what it must not answer, and only operators see /status."""

from __future__ import annotations

from ankommen.shared.auth import Role
from tests.support.services import in_process, token


async def test_filters_outside_the_published_dimensions_are_refused_by_name(
        kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        client = monitoring.client
        cases = {
            "first_language": {"first_language": "tir"},
            "german_level": {"german_level": "B7"},
            "from": {"from": "2026-13"},
            "district": {"district": "3358"},
            "by": {"by": "first_language"},
        }
        for field, parameters in cases.items():
            for path in ("/statistics/arrivals", "/statistics/arrivals.csv"):
                response = await client.get(path, params=parameters)
                assert response.status_code == 422, (path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["errors"][0]["field"] == field
        unknown = await client.get("/statistics/pseudonyms")
        assert unknown.status_code == 404


async def test_empty_statistics_are_zero_and_csv_is_a_download(kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        table = (await monitoring.client.get("/statistics/arrivals",
                                             params={"by": "german_level"})).json()
        assert table["total"]["count"] == {"value": 0, "protected": None}
        exported = await monitoring.client.get("/statistics/arrivals.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        catalogue = (await monitoring.client.get("/statistics")).json()
        assert catalogue["disclosure"] == {"min_count": 5, "max_deviation": 2,
                                           "min_distribution": 10}


async def test_status_is_for_operators_only(kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        assert (await monitoring.client.get("/status")).status_code == 401
        viewer = await monitoring.client.get("/status", headers=token(Role.MONITORING_VIEWER))
        assert viewer.status_code == 403
        status = (await monitoring.client.get("/status", headers=token(Role.ADMIN))).json()
        assert status["facts_processed"] == 0
        assert status["last_fact_published_at"] is None
        assert status["consumer_lag"] == 0
