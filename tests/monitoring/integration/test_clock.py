"""Monitoring publishes by its injected clock (``runtime.clock``, the same :class:`Clock` every
service has): moving the clock past a month's close publishes that month (issue 16).

In process without a broker: the question is which month is published, not what it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from ankommen.shared.clock import MovableClock
from tests.support.services import in_process


async def test_moving_the_clock_past_a_months_close_publishes_the_month(sqlite_databases):
    clock = MovableClock(datetime(2031, 5, 20, tzinfo=UTC))
    async with in_process("monitoring", bootstrap="127.0.0.1:1", clock=clock,
                          database_url=await sqlite_databases.url("monitoring"),
                          county_districts="03351,03358") as monitoring:
        may = {"period": "2031-05", "by": "german_level"}
        still_open = await monitoring.client.get("/statistics/arrivals", params=may)
        assert still_open.status_code == 422
        assert "2031-06-06" in still_open.json()["detail"], "published after the grace days"

        clock.set(datetime(2031, 6, 10, tzinfo=UTC))
        published = await monitoring.client.get("/statistics/arrivals", params=may)
        assert published.status_code == 200, published.text
        assert (published.json()["period"], published.json()["published_through"]) == (
            "2031-05", "2031-05")
