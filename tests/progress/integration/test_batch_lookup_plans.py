"""The batch lookups of an upload read only the rows they look for, however many reports are
stored — the proof that the upload stays linear in its size, without a timing assertion.

Issue 21's plan trap: after five executions PostgreSQL switches a prepared statement to its
generic plan; the idempotency check's generic plan probed ``(provider_id, report_id)`` by the
provider alone and filtered every report of that provider, so each batch read the whole history
and the upload grew quadratically. Here the generic plan is forced (what the sixth execution
gets) on a table that was never analysed (an upload outruns autovacuum), and PostgreSQL's own
per-transaction counters say how many rows and index entries the lookup read: a plan that
filters the provider's reports reads all 3,000. On SQLite (no plan cache) the query plan must
search the unique index by both columns.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from ankommen.progress.adapters.repository import ReportRepository
from ankommen.progress.adapters.tables import reports
from ankommen.shared.db.engine import create_engine
from ankommen.shared.db.migrations import upgrade

STORED = 3_000
LOOKED_UP = 500
ALREADY_STORED = 10

#: Rows read by sequential scans of ``reports`` plus entries returned by its indexes, in this
#: transaction so far (PostgreSQL's pg_stat_get_xact_* counters, exact and immediate).
READS = text("""
    SELECT pg_stat_get_xact_tuples_returned('reports'::regclass)
         + coalesce(sum(pg_stat_get_xact_tuples_returned(indexrelid)), 0)
    FROM pg_index WHERE indrelid = 'reports'::regclass""")


def stored_rows() -> list[dict]:
    now = datetime(2026, 12, 5, tzinfo=UTC)
    return [{"provider_id": "vhs-a", "report_id": f"stored-{index}",
             "referral_code": f"code-{index // 50}", "pseudonym": "p", "kind": "attendance",
             "corrects_report_id": None, "body": attendance(f"stored-{index}"),
             "channel": "csv", "received_at": now} for index in range(STORED)]


def attendance(report_id: str) -> str:
    return json.dumps({"kind": "attendance", "report_id": report_id, "referral_code": "CODE-1",
                       "period_start": "2026-11-02", "period_end": "2026-11-08",
                       "hours_attended": 10, "hours_planned": 20})


async def test_the_idempotency_check_reads_only_the_ids_it_looks_up(databases):
    engine = create_engine(await databases.url("progress"))
    try:
        await upgrade(engine, "ankommen.progress:migrations")
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(insert(reports), stored_rows())
        looked_up = ({f"stored-{index}" for index in range(ALREADY_STORED)}
                     | {f"new-{index}" for index in range(LOOKED_UP - ALREADY_STORED)})
        async with AsyncSession(engine) as session, session.begin():
            if engine.dialect.name == "sqlite":
                await assert_sqlite_searches_both_columns(session)
                return
            await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
            before = await session.scalar(READS)
            found = await ReportRepository(session).existing("vhs-a", looked_up)
            read = await session.scalar(READS) - before
        assert len(found) == ALREADY_STORED
        assert read <= LOOKED_UP, f"the generic plan read {read} rows for {LOOKED_UP} ids"
    finally:
        await engine.dispose()


async def assert_sqlite_searches_both_columns(session: AsyncSession) -> None:
    plan = (await session.execute(text(
        "EXPLAIN QUERY PLAN SELECT report_id, body FROM reports "
        "WHERE provider_id = 'vhs-a' AND report_id IN ('a', 'b', 'c')"))).all()
    details = " ".join(row[-1] for row in plan)
    assert "SEARCH reports USING INDEX uq_reports_report_provider (report_id=? AND " \
           "provider_id=?)" in details, details
