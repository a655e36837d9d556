"""Progress's HTTP API (provider reporting follows in its own issue)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ankommen.progress.adapters.repository import KnownCaseRepository
from ankommen.shared.auth import Role
from ankommen.shared.runtime import ServiceRuntime


class KnownCasesSummary(BaseModel):
    count: int


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(prefix="/cases", tags=["cases"])

    @api.get("/count", response_model=KnownCasesSummary, summary="How many cases are known",
             dependencies=[runtime.auth.require(Role.COORDINATOR, Role.ADMIN)])
    async def count_cases() -> KnownCasesSummary:
        async with runtime.uow() as uow:
            return KnownCasesSummary(count=await KnownCaseRepository(uow.session).count())

    return api
