"""Monitoring trusts facts only within bounds (issue 14): the attacks replayed.

Forged arrival facts for a district the county does not cover (09162), facts back-dated into a
closed month and facts dated next year, written straight onto the facts topic, are held on the
review list — the published figures do not move. An admin sees them by reason, discards the
forgeries and applies the late facts as a correction of the closed month, which is then shown
with the month; a rebuild reproduces figures, review list and corrections exactly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from ankommen.monitoring.adapters.facts_topic import FactsTopic
from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.monitoring.domain.bounds import Reason, months_before
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.entrypoints.cli import DECISION_REFUSED, app
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import Source, rebuild_aggregates
from ankommen.monitoring.service.review import decide, review_list
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS
from ankommen.shared.runtime import ServiceRuntime
from tests.monitoring.facts_topic import arrival, publish
from tests.monitoring.listed_topic import ListedTopic, migrated, rebuild, settings_of
from tests.support.polling import eventually
from tests.support.services import in_process, token

NOW = datetime.now(UTC)
MONTH = NOW.strftime("%Y-%m")
#: Three months ago: closed, and inside the history monitoring publishes.
CLOSED = months_before(MONTH, 3)
NEXT_YEAR = f"{NOW.year + 1}{MONTH[4:]}"
#: When a back-dated fact claims to have been published: inside its month, in good time.
CLAIMED = datetime(int(CLOSED[:4]), int(CLOSED[5:]), 20, tzinfo=UTC)
ADMIN = token(Role.ADMIN)


def attack() -> tuple[list, list, list, list]:
    genuine = [arrival(MONTH, "03358", level) for level in ("A1", "B1") * 3]
    foreign = [arrival(MONTH, "09162", "A1") for _ in range(6)]
    back_dated = [arrival(CLOSED, "03358", "A2", published_at=CLAIMED) for _ in range(6)]
    future = [arrival(NEXT_YEAR, "03358", "A1")]
    return genuine, foreign, back_dated, future


async def raw_arrivals(runtime: ServiceRuntime) -> dict[tuple[str, str], int]:
    """What the aggregates count, by month and district (unprotected: the test's view)."""
    async with runtime.sessions() as session:
        cells = await Aggregates(session).cells_of("arrivals", "2000-01", "2999-12")
    counted: dict[tuple[str, str], int] = {}
    for cell in cells:
        counted[(cell.month, cell.district)] = counted.get((cell.month, cell.district), 0) \
            + cell.n
    return counted


async def digest(runtime: ServiceRuntime) -> str:
    async with runtime.sessions() as session:
        return await Aggregates(session).digest()


async def test_forged_facts_are_held_for_review_and_a_closed_month_changes_only_by_correction(
        kafka, sqlite_databases):
    genuine, foreign, back_dated, future = attack()
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring"),
                          county_districts="03358") as monitoring:
        client = monitoring.client
        await publish(kafka.bootstrap_servers, [*genuine, *foreign, *back_dated, *future])

        async def processed() -> int:
            return (await client.get("/status", headers=ADMIN)).json()["facts_processed"]

        await eventually(processed, until=lambda n: n == 19, timeout=60,
                         what="every fact taken in")
        status = (await client.get("/status", headers=ADMIN)).json()
        assert status["facts_held"] == 13

        # The published figures know nothing of the forgeries.
        assert await raw_arrivals(monitoring.runtime) == {(MONTH, "03358"): 6}
        catalogue = (await client.get("/statistics")).json()
        assert catalogue["districts"] == ["03358"]
        assert catalogue["corrections"] == []
        assert "09162" not in (await client.get("/statistics/arrivals",
                                                params={"by": "district"})).text
        closed = {"period": CLOSED}
        before = (await client.get("/statistics/arrivals", params=closed)).json()
        assert before["answered"] is False and before["corrections"] == []

        # The review list: admins only, counts by reason, no record key, no attributes.
        assert (await client.get("/review", headers=token(Role.COORDINATOR))).status_code == 403
        assert (await client.get("/review")).status_code == 401
        review = (await client.get("/review", headers=ADMIN)).json()
        assert review["pending"] == {"total": 13, "by_reason": {
            "unknown_district": 6, "future": 1, "too_old": 0, "closed_month": 6}}
        assert {entry["district"] for entry in review["entries"]
                if entry["reason"] == "unknown_district"} == {"09162"}
        # Single facts: what it is, where, when, from whom — no attribute of the person.
        assert {key for entry in review["entries"] for key in entry} == {
            "event_id", "type", "reason", "month", "district", "received_at", "published_at",
            "source"}
        claimed = [entry for entry in review["entries"] if entry["reason"] == "closed_month"]
        assert {entry["published_at"][:10] for entry in claimed} == {CLAIMED.date().isoformat()}

        # Deciding is for admins only, too.
        forbidden = await client.post("/review/decisions", headers=token(Role.COORDINATOR),
                                      json={"decision": "apply", "reason": "closed_month"})
        assert forbidden.status_code == 403
        discarded = await client.post("/review/decisions", headers=ADMIN, json={
            "decision": "discard", "reason": "unknown_district"})
        assert discarded.status_code == 200, discarded.text
        assert len(discarded.json()["event_ids"]) == 6
        assert await raw_arrivals(monitoring.runtime) == {(MONTH, "03358"): 6}

        applied = await client.post("/review/decisions", headers=ADMIN, json={
            "decision": "apply", "event_ids": [entry["event_id"] for entry in claimed]})
        assert applied.status_code == 200, applied.text
        today = datetime.now(UTC).date().isoformat()
        note = [{"month": CLOSED, "corrected_on": today, "facts": 6}]
        assert applied.json()["corrections"] == note
        again = await client.post("/review/decisions", headers=ADMIN, json={
            "decision": "discard", "event_ids": [claimed[0]["event_id"]]})
        assert again.status_code == 409

        # The closed month changed by the correction, which is shown with it.
        assert await raw_arrivals(monitoring.runtime) == {(MONTH, "03358"): 6,
                                                          (CLOSED, "03358"): 6}
        after = (await client.get("/statistics/arrivals", params=closed)).json()
        assert after["corrections"] == note  # 6 arrivals: still too few to be answered
        assert (await client.get("/statistics")).json()["corrections"] == note
        # The dashboard (and the report, through the same template) shows the note with the
        # closed month's figures.
        dashboard = await client.get("/", params={"period": CLOSED, "lang": "en"})
        assert f"{CLOSED}: 6 late facts added after review on {today}." in dashboard.text
        review = (await client.get("/review", headers=ADMIN)).json()
        assert review["pending"]["by_reason"] == {
            "unknown_district": 0, "future": 1, "too_old": 0, "closed_month": 0}
        assert {record["decided_by"] for record in review["decisions"]} == {"admin:test"}

        # A rebuild — from the archive and from the topic — gives the very same figures,
        # review list and corrections.
        live = await digest(monitoring.runtime)
        for source in (Source.ARCHIVE, Source.TOPIC):
            result = await rebuild_aggregates(
                monitoring.runtime.uow, FactsTopic(kafka.bootstrap_servers, FACTS),
                monitoring.runtime.group_id(PURPOSE), settings_of(monitoring.runtime).bounds(),
                source=source)
            assert (result.source, result.facts, result.digest) == (source, 19, live)
        assert (await client.get("/review", headers=ADMIN)).json()["pending"]["total"] == 1
        assert (await client.get("/statistics")).json()["corrections"] == note


@pytest.fixture
async def monitoring(databases) -> AsyncIterator[ServiceRuntime]:  # noqa: ANN001
    async with migrated(await databases.url("monitoring")) as runtime:
        yield runtime


async def rebuilt(runtime: ServiceRuntime, topic: ListedTopic, source: Source) -> str:
    return (await rebuild(runtime, topic, source)).digest


async def test_a_rebuild_holds_the_same_facts_and_applies_the_same_corrections(monitoring):
    genuine, foreign, back_dated, future = attack()
    # Facts nobody archived yet are judged by the time the broker stamped them.
    topic = ListedTopic([envelope.to_bytes()
                         for envelope in [*genuine, *foreign, *back_dated, *future]],
                        stamped_at=datetime.now(UTC))
    await rebuild(monitoring, topic, Source.TOPIC)
    async with monitoring.uow() as unit:
        overview = await review_list(unit)
    assert overview.pending == {"unknown_district": 6, "future": 1, "too_old": 0,
                                "closed_month": 6}
    settings = settings_of(monitoring)
    await decide(monitoring.uow, settings.bounds(), Decision.APPLIED, "admin:a",
                 datetime.now(UTC), reason=Reason.CLOSED_MONTH)
    await decide(monitoring.uow, settings.bounds(), Decision.DISCARDED, "admin:a",
                 datetime.now(UTC), event_ids=[foreign[0].id])
    corrected = await digest(monitoring)
    assert await raw_arrivals(monitoring) == {(MONTH, "03358"): 6, (CLOSED, "03358"): 6}

    assert await rebuilt(monitoring, topic, Source.ARCHIVE) == corrected
    # From the topic, archived facts are judged by when they were received, not by the
    # stamps (here: a broker that stamped nothing).
    assert await rebuilt(monitoring, ListedTopic(topic.messages), Source.TOPIC) == corrected
    async with monitoring.uow() as unit:
        pending = (await review_list(unit)).pending
    assert pending == {
        "unknown_district": 5, "future": 1, "too_old": 0, "closed_month": 0}


async def test_the_cli_lists_the_review_list_and_decides_as_the_named_operator(
        sqlite_databases, monkeypatch):
    url = await sqlite_databases.url("monitoring")
    _, foreign, back_dated, _ = attack()
    async with migrated(url) as runtime:
        await rebuild(runtime, ListedTopic([envelope.to_bytes()
                                            for envelope in [*foreign, *back_dated]],
                                           stamped_at=datetime.now(UTC)), Source.TOPIC)
    monkeypatch.setenv("ANKOMMEN_MONITORING_DATABASE_URL", url)
    monkeypatch.setenv("ANKOMMEN_COUNTY_DISTRICTS", "03358")

    def run(*arguments: str):  # noqa: ANN202 - typer's Result
        return asyncio.to_thread(CliRunner().invoke, app, ["review", *arguments])

    listed = await run()
    assert listed.exit_code == 0, listed.output
    assert "12 facts held for review: unknown_district 6, future 0, too_old 0, closed_month 6" \
        in listed.output
    assert foreign[0].id in listed.output
    discarded = await run("discard", "--by", "jane", "--reason", "unknown_district")
    assert discarded.exit_code == 0, discarded.output
    assert "6 review entries discarded by jane" in discarded.output
    applied = await run("apply", "--by", "jane", back_dated[0].id)
    assert applied.exit_code == 0, applied.output
    assert f"correction of {CLOSED}: 1 facts" in applied.output
    refused = await run("apply", "--by", "jane", foreign[0].id)
    assert refused.exit_code == DECISION_REFUSED
    assert "already decided" in refused.output
    assert "5 facts held for review" in (await run()).output
