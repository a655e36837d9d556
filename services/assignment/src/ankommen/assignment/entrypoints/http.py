"""Assignment's HTTP API for coordinators."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ankommen.assignment.adapters.repository import WaitingListRepository
from ankommen.shared.auth import Role
from ankommen.shared.runtime import ServiceRuntime


class WaitingListSummary(BaseModel):
    count: int


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(prefix="/waiting-list", tags=["waiting list"])

    @api.get("", response_model=WaitingListSummary, summary="How many people are waiting",
             dependencies=[runtime.auth.require(Role.COORDINATOR, Role.ADMIN)])
    async def waiting_list() -> WaitingListSummary:
        async with runtime.uow() as uow:
            return WaitingListSummary(count=await WaitingListRepository(uow.session).count())

    return api
