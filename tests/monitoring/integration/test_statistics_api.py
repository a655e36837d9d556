"""The public statistics API refuses what it must not answer, and only operators see /status."""

from __future__ import annotations

from datetime import UTC, datetime

from ankommen.shared.identity.auth import Role
from tests.support.clock import MovableClock
from tests.support.services import in_process, token

NOW = datetime(2026, 11, 20, tzinfo=UTC)


async def test_anything_outside_the_catalogue_is_refused_by_name(kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring"),
                          county_districts="03351,03358", clock=MovableClock(NOW)) as monitoring:
        client = monitoring.client
        cases = {
            "first_language": {"first_language": "tir"},
            # The attack of issue 15: a free filter over a small district.
            "gender": {"by": "german_level", "gender": "diverse"},
            "by": {"by": "residence_status"},
            "from": {"from": "2026-09"},
            "to": {"to": "2026-09"},
            "district": {"district": "03359"},  # not the county's
            "period": {"period": "2026-11"},  # open
        }
        for field, parameters in cases.items():
            for path in ("/statistics/arrivals", "/statistics/arrivals.csv"):
                response = await client.get(path, params=parameters)
                assert response.status_code == 422, (path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["errors"][0]["field"] == field
        open_month = await client.get("/statistics/arrivals", params={"period": "2026-11"})
        assert "2026-12-06" in open_month.json()["detail"]
        too_old = await client.get("/statistics/arrivals", params={"period": "2024-10"})
        assert "no longer published" in too_old.json()["detail"]
        by_month = await client.get("/statistics/arrivals",
                                    params={"period": "2026-10", "by": "month"})
        assert by_month.json()["errors"][0]["field"] == "by"
        unknown = await client.get("/statistics/pseudonyms")
        assert unknown.status_code == 404


async def test_empty_statistics_are_unanswered_and_csv_is_a_download(kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring"),
                          county_districts="03351,03358", clock=MovableClock(NOW)) as monitoring:
        table = (await monitoring.client.get("/statistics/arrivals",
                                             params={"by": "german_level"})).json()
        assert (table["table"], table["period"], table["answered"]) == (
            "arrivals-german_level", "2026-10", False)
        assert table["total"]["count"] == {"value": None, "protected": "small_population"}
        assert table["published_through"] == "2026-10"
        by_district = (await monitoring.client.get("/statistics/arrivals", params={
            "by": "district", "period": "2026-Q3"})).json()
        assert [row["label"] for row in by_district["rows"]] == ["03351", "03358"]
        exported = await monitoring.client.get("/statistics/arrivals.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        catalogue = (await monitoring.client.get("/statistics")).json()
        assert catalogue["disclosure"] == {"min_count": 5, "max_deviation": 2,
                                           "min_distribution": 10, "min_population": 20,
                                           "closed_month_grace_days": 5}
        assert catalogue["periods"]["months"][0] == "2026-10"
        assert catalogue["periods"]["quarters"][0] == "2026-Q3"
        assert catalogue["periods"]["years"] == ["2025"]
        assert catalogue["districts"] == ["03351", "03358"]
        assert {"key": "placements-within_6_weeks", "measure": "placements",
                "by": "within_6_weeks", "filters": {"placement": "first"}, "rows": None,
                "distribution": True} in catalogue["tables"]
        assert "residence_status" not in {table["by"] for table in catalogue["tables"]}


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
