"""Intake's HTTP API for intake staff."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ankommen.intake.adapters.repository import CaseRepository
from ankommen.intake.service.register_arrival import RegisterArrival, register_arrival
from ankommen.shared.auth import Role
from ankommen.shared.errors import NotFound
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.runtime import ServiceRuntime


class RegistrationRequest(BaseModel):
    """An arrival registration: the pseudonymous survey (identity follows in its own issue)."""

    model_config = ConfigDict(extra="forbid")

    survey: Survey
    registered_on: date | None = Field(None, description="Day of intake; defaults to today")

    @field_validator("registered_on")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("must not be in the future")
        return value


class CaseResponse(BaseModel):
    case_id: uuid.UUID
    pseudonym: str = Field(description="The case's pseudonym, the only id other services see")
    registered_on: date
    survey: Survey


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(prefix="/cases", tags=["cases"])
    intake_staff = runtime.auth.require(Role.INTAKE_STAFF)

    @api.post("", status_code=status.HTTP_201_CREATED, response_model=CaseResponse,
              summary="Register an arrival", dependencies=[intake_staff])
    async def register(request: RegistrationRequest) -> CaseResponse:
        async with runtime.uow() as uow:
            case = await register_arrival(uow, RegisterArrival(
                survey=request.survey, registered_on=request.registered_on or date.today()))
        return CaseResponse(**case.__dict__)

    @api.get("/{case_id}", response_model=CaseResponse, summary="One case",
             dependencies=[intake_staff])
    async def get_case(case_id: uuid.UUID) -> CaseResponse:
        async with runtime.uow() as uow:
            case = await CaseRepository(uow.session).get(case_id)
        if case is None:
            raise NotFound("case_id: no such case")
        return CaseResponse(**case.__dict__)

    return api
