"""Aggregates are built incrementally from the facts topic and rebuilt — from offset 0 of the
topic, or from the facts archive the live consumer kept — with an identical result, review list
included; duplicates count once. (Facts held for review, closed months included, and their
corrections: ``test_review_list.py``.)"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.shared.identity.auth import Role
from tests.monitoring.facts_topic import (
    arrival,
    capacity,
    course_outcome,
    placement,
    publish,
    transition,
    unmet_demand,
)
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = datetime.now(UTC).strftime("%Y-%m")


async def processed(monitoring) -> int:  # noqa: ANN001
    response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
    return response.json()["facts_processed"]


async def digest(monitoring) -> str:  # noqa: ANN001
    async with monitoring.runtime.sessions() as session:
        return await Aggregates(session).digest()


def run_rebuild(bootstrap: str, database_url: str, *options: str) -> str:
    environment = {**os.environ, "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                   "ANKOMMEN_MONITORING_DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-m", "ankommen.monitoring", "rebuild", *options],
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_rebuild_from_offset_zero_reproduces_the_aggregates_exactly(kafka, databases):
    january = datetime(2026, 1, 15, tzinfo=UTC)
    now = datetime.now(UTC)
    # Capacity snapshots of one cell, published out of order: the latest (30/18) must win,
    # live and rebuilt alike.
    snapshots = [capacity(MONTH, "03358", 30, 18, published_at=now),
                 capacity(MONTH, "03358", 20, 10, published_at=now - timedelta(minutes=5)),
                 capacity(MONTH, "03358", 24, 9, course_type="literacy")]
    facts = ([arrival(MONTH, "03358", level) for level in ("A0", "A1", "A1", "B1") * 3]
             # Not the county's district, and for a closed month: held for review, which a
             # rebuild must reproduce too (it is part of the digest).
             + [arrival("2026-01", "03359", "A2", january) for _ in range(6)]
             + [placement(MONTH, "03358", waiting_weeks=weeks) for weeks in range(12)]
             + [placement(MONTH, "03358", waiting_weeks=None), unmet_demand(MONTH, "03358"),
                transition(MONTH, "03358"), course_outcome(MONTH, "03358"), *snapshots])
    duplicate = facts[0]
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("monitoring")) as monitoring:
        await publish(kafka.bootstrap_servers, [*facts, duplicate])
        await eventually(lambda: processed(monitoring), until=lambda n: n == len(facts),
                         timeout=60, what="every fact processed once")
        live = await digest(monitoring)
        url = str(monitoring.runtime.engine.url.render_as_string(hide_password=False))
        async with monitoring.runtime.sessions() as session:
            seats = await Aggregates(session).cells_of("capacity", MONTH, MONTH, "03358")
        assert sorted((cell.dimensions["course_type"], cell.dimensions["seats"], cell.n)
                      for cell in seats) == [
            ("general_integration", "offered", 30), ("general_integration", "taken", 18),
            ("literacy", "offered", 24), ("literacy", "taken", 9)]

        output = run_rebuild(kafka.bootstrap_servers, url, "--from", "topic")
        assert f"rebuilt from {len(facts)} facts (1 duplicates" in output
        assert await digest(monitoring) == live
        assert live in output
        # The archive the live consumer kept rebuilds the same, with no broker to ask.
        output = run_rebuild("127.0.0.1:9", url, "--from", "archive")
        assert f"rebuilt from {len(facts)} facts (0 duplicates, 0 refused) of the facts " \
               "archive" in output
        assert await digest(monitoring) == live
        assert live in output

    # A database that never saw the facts live ends up with the very same aggregates (from the
    # topic: its archive is empty), and archives them.
    fresh = await databases.url("monitoring")
    output = run_rebuild(kafka.bootstrap_servers, fresh)
    assert f"of the facts topic ankommen.monitoring.facts, {len(facts)} newly archived" in output
    assert live in output
    assert live in run_rebuild("127.0.0.1:9", fresh, "--from", "archive")


async def test_live_consumer_neither_skips_nor_double_counts_after_a_rebuild(
        kafka, sqlite_databases):
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        await publish(kafka.bootstrap_servers, [arrival(MONTH, "03358") for _ in range(3)])
        await eventually(lambda: processed(monitoring), until=lambda n: n == 3, timeout=60)
        url = monitoring.runtime.engine.url.render_as_string(hide_password=False)
        run_rebuild(kafka.bootstrap_servers, url)
        await publish(kafka.bootstrap_servers, [arrival(MONTH, "03358") for _ in range(2)])
        await eventually(lambda: processed(monitoring), until=lambda n: n == 5, timeout=60,
                         what="the new facts counted after the rebuild")
        async with monitoring.runtime.sessions() as session:
            cells = await Aggregates(session).cells_of("arrivals", MONTH, MONTH)
        assert sum(cell.n for cell in cells) == 5
