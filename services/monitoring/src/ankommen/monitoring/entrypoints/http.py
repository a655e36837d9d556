"""Monitoring's HTTP API: anonymous statistics (disclosure control follows in its own issue)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ankommen.monitoring.adapters.repository import ArrivalCounts
from ankommen.shared.runtime import ServiceRuntime


class ArrivalStatistics(BaseModel):
    total: int


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(prefix="/statistics", tags=["statistics"])

    @api.get("/arrivals", response_model=ArrivalStatistics, summary="Arrivals registered")
    async def arrivals() -> ArrivalStatistics:
        async with runtime.uow() as uow:
            return ArrivalStatistics(total=await ArrivalCounts(uow.session).total())

    return api
