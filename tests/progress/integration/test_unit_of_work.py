"""Progress's unit of work owns its repositories and commits only when told."""

from __future__ import annotations

from datetime import date

from ankommen.progress.domain.cases import KnownCase


async def test_each_repository_is_built_once_per_unit_on_its_session(progress_units):
    async with progress_units() as uow:
        assert uow.reports is uow.reports
        assert uow.cases._session is uow.session
        first = uow.catalogue
    async with progress_units() as uow:
        assert uow.catalogue is not first
        assert uow.parked_events._session is uow.session


async def test_a_unit_left_without_commit_writes_nothing(progress_units):
    async with progress_units() as uow:
        await uow.cases.add(KnownCase("a" * 24, date(2026, 8, 1), "A1"))
    async with progress_units() as uow:
        assert await uow.cases.count() == 0
        await uow.cases.add(KnownCase("a" * 24, date(2026, 8, 1), "A1"))
        await uow.commit()
    async with progress_units() as uow:
        assert await uow.cases.count() == 1
