"""Intake's unit of work owns its repositories: built once per unit on that unit's session,
and nothing written unless the use case commits (real database)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from datetime import date

import pytest

from ankommen.intake.adapters import unit_of_work
from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.app import build_runtime
from ankommen.intake.config import IntakeRuntime, IntakeSettings
from ankommen.intake.domain.case import Case
from ankommen.shared.events.contracts.intake import Survey
from tests.support.surveys import survey


@pytest.fixture
async def runtime(sqlite_databases) -> AsyncIterator[IntakeRuntime]:  # noqa: ANN001
    runtime = build_runtime(IntakeSettings(database_url=await sqlite_databases.url("intake")))
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.engine.dispose()


def test_every_repository_built_once_is_built_again_for_the_next_unit():
    cached = {name for name, member in vars(IntakeUnitOfWork).items()
              if isinstance(member, functools.cached_property)}
    assert cached == set(unit_of_work._BUILT_ONCE)  # noqa: SLF001


async def test_a_unit_builds_each_repository_once_on_its_own_session(runtime):
    uow = runtime.uow()
    async with uow:
        first = uow.cases
        assert uow.cases is first
        assert first._session is uow.session  # noqa: SLF001
    async with uow:  # the same object opened again: a new session, new repositories
        assert uow.cases is not first
        assert uow.cases._session is uow.session  # noqa: SLF001


async def test_work_left_without_commit_is_not_kept(runtime):
    case = Case(survey=Survey.model_validate(survey()), registered_on=date(2026, 3, 2))
    async with runtime.uow() as uow:
        await uow.cases.add(case)
    async with runtime.uow() as uow:
        assert await uow.cases.get(case.case_id) is None
        await uow.cases.add(case)
        await uow.commit()
    async with runtime.uow() as uow:
        assert await uow.cases.get(case.case_id) == case
