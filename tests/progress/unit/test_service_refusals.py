"""Refused reports kept for the provider's page (service/refusals.py) through the fakes:
newest first, one provider's only, purged by the service's clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ankommen.progress.domain.problems import Problem
from ankommen.progress.service.refusals import (
    forget_old_refusals,
    keep_refused,
    refusal_purger,
    refused_reports,
)
from tests.progress.fakes import FakeUnits

PROBLEM = [Problem("started_on", "after the course")]


async def kept(units: FakeUnits, provider_id: str, report_id: str) -> None:
    async with units() as uow:
        await keep_refused(uow, provider_id, "csv", [(report_id, "REF-0001", None, PROBLEM)])
        await uow.commit()


async def test_the_page_shows_the_providers_own_refusals_newest_first():
    units = FakeUnits()
    await kept(units, "vhs-a", "r-1")
    units.clock.advance(timedelta(minutes=1))
    await kept(units, "vhs-b", "r-2")
    await kept(units, "vhs-a", "r-3")
    async with units() as uow:
        shown = await refused_reports(uow, "vhs-a")
    assert [item.report_id for item in shown] == ["r-3", "r-1"]
    assert units.database.commits == 3


async def test_refusals_older_than_the_retention_are_purged_by_the_clock():
    units = FakeUnits()
    await kept(units, "vhs-a", "old")
    units.clock.advance(timedelta(days=60))
    await kept(units, "vhs-a", "new")
    units.clock.advance(timedelta(days=31))
    async with units() as uow:
        assert await forget_old_refusals(uow, 90) == 1
        await uow.commit()
    async with units() as uow:
        assert [item.report_id for item in await refused_reports(uow, "vhs-a")] == ["new"]


async def test_the_purging_job_commits_each_turn():
    units = FakeUnits()
    await kept(units, "vhs-a", "old")
    units.clock.advance(timedelta(days=91))
    job = asyncio.create_task(refusal_purger(units, 90, interval=3600)())
    try:
        for _ in range(10):
            await asyncio.sleep(0)
    finally:
        job.cancel()
    assert units.database.tables.refused == [] and units.database.commits == 2
