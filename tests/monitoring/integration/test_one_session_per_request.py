"""A page or an export reads on one session (issue 22 item 5): the dashboard computes about
thirty tables, the key figures and the correction notes, the report as many, a CSV one table —
each request opens one unit of work for all of it, not one per query."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from ankommen.monitoring.app import create_app
from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.domain.folding import FoldedFacts
from ankommen.monitoring.service.handlers import fold_fact
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.registry import registry
from tests.monitoring.facts_topic import arrival, placement
from tests.support.clock import this_month, when_published
from tests.support.sessions import counted_sessions

MONTH = this_month()


async def test_the_dashboard_the_report_and_a_csv_each_read_on_one_session(sqlite_databases):
    settings = MonitoringSettings(_env_file=None,
                                  database_url=await sqlite_databases.url("monitoring"),
                                  kafka_bootstrap_servers="127.0.0.1:9",
                                  county_districts="03358,03359")
    clock = MovableClock(datetime.now(UTC))
    app = create_app(settings, clock=clock)
    runtime: MonitoringRuntime = app.state.runtime
    await runtime.migrate()
    try:
        folded = FoldedFacts(settings.bounds())
        for envelope in ([arrival(MONTH, "03358", "A1") for _ in range(30)]
                         + [placement(MONTH, "03359", waiting_weeks=w % 7) for w in range(30)]):
            event = registry.decode(envelope.to_bytes())
            fold_fact(folded, event, clock.now())
        async with runtime.uow() as unit:
            await unit.aggregates.write(folded)
            await unit.commit()
        # The whole year has closed: the month, its quarter and the year are published.
        clock.set(when_published(f"{MONTH[:4]}-12"))
        opened = counted_sessions(runtime.uow)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
            for path in ("/", f"/?period={MONTH}&district=03358", "/report",
                         f"/statistics/arrivals.csv?period={MONTH}",
                         f"/statistics/arrivals?period={MONTH}",
                         f"/statistics/key-figures?period={MONTH}"):
                before = opened[0]
                response = await client.get(path)
                assert response.status_code == 200, (path, response.text[:300])
                assert opened[0] - before == 1, path
            # The export shows what was written: it did read on that one session.
            csv = await client.get(f"/statistics/arrivals.csv?period={MONTH}&by=german_level")
            assert "A1" in csv.text
    finally:
        await runtime.engine.dispose()
