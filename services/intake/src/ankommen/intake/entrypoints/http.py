"""Intake's HTTP API: case work for intake staff, the audit log for admins, the consented
disclosure of contact details to providers.

Every endpoint requires a signed token. Identity travels only in request and response
bodies — never in URLs, logs or error messages. The routes are declared here at module level;
what they need of the running service comes as typed dependencies (:mod:`.dependencies`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from ankommen.intake.domain.audit import Purpose
from ankommen.intake.domain.duplicates import DuplicateSuspected, SuspicionStatus
from ankommen.intake.domain.identity import REQUEST_DAY
from ankommen.intake.entrypoints.dependencies import (
    Admin,
    Context,
    Provider,
    Runtime,
    Staff,
    search_limit,
)
from ankommen.intake.entrypoints.schemas import (
    AliasResponse,
    AuditEntryResponse,
    CandidateResponse,
    CaseRecordResponse,
    CaseResponse,
    CloseRequest,
    ContactDisclosure,
    ContactRequest,
    ContactResponse,
    DisclosureResponse,
    ExportResponse,
    MergeRequest,
    RegistrationRequest,
    SearchRequest,
    SearchResponse,
    SurveyCorrection,
    SurveyUpdateResponse,
    SuspicionRequest,
    SuspicionResponse,
)
from ankommen.intake.service import case_work, duplicates
from ankommen.intake.service.case_work import CaseRecord
from ankommen.intake.service.county import require_in_county
from ankommen.intake.service.disclosure import disclose_contacts
from ankommen.intake.service.register_arrival import (
    PossibleDuplicates,
    RegisterArrival,
    register_arrival,
)
from ankommen.shared.errors import problem
from ankommen.shared.web.hardening import RATE_LIMITED

DUPLICATE_WARNING: dict[int | str, dict[str, Any]] = {
    status.HTTP_409_CONFLICT: {
        "description": "Likely registered already (problem details with `candidates`: case "
                       "id, score, day of registration); nothing was created",
        "content": {"application/problem+json": {}}},
}


async def possible_duplicates(_: Request, error: Exception) -> JSONResponse:
    """409 with the likely existing cases — their ids and scores only, no identity.
    (Installed for :class:`PossibleDuplicates` only; Starlette types every handler as taking
    any exception.)"""
    if not isinstance(error, PossibleDuplicates):
        raise error
    return problem(error.status, "Possible duplicate", error.detail,
                   errors=[{"field": error.field, "reason": error.detail}],
                   candidates=[CandidateResponse.of(candidate).model_dump(mode="json")
                               for candidate in error.candidates])


def _record(record: CaseRecord) -> CaseRecordResponse:
    return CaseRecordResponse(**CaseResponse.of(record.case).model_dump(),
                              identity=record.identity,
                              aliases=[AliasResponse(**kept.alias.model_dump(),
                                                     recorded_at=kept.recorded_at)
                                       for kept in record.aliases])


def _suspicion(suspicion: DuplicateSuspected) -> SuspicionResponse:
    return SuspicionResponse(**suspicion.__dict__)


def export_response(exported: case_work.DataExport) -> ExportResponse:
    """The data-subject export's body (the API's and the download on the case page)."""
    return ExportResponse(
        case=_record(exported.record),
        duplicate_suspicions=[_suspicion(each) for each in exported.suspicions],
        # Without the staff's names: they are the staff's personal data, not the person's;
        # the subject (a pseudonymous id at the identity provider) says which account acted.
        audit=[AuditEntryResponse.model_validate({**entry.__dict__, "actor_name": None})
               for entry in exported.audit],
        disclosures=[DisclosureResponse(
            at=each.at, recipient_kind=each.recipient_kind, recipient=each.recipient,
            fields=list(each.fields), purpose=each.purpose) for each in exported.disclosures])


async def request_day(runtime: Runtime) -> None:
    """The service's today for the calendar checks of the body (no birth or registration
    date in the future), set before FastAPI validates it."""
    REQUEST_DAY.set(runtime.clock.today())


router = APIRouter(dependencies=[Depends(request_day)])


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseResponse,
             summary="Register an arrival", tags=["cases"],
             responses={**DUPLICATE_WARNING, 200: {"model": CaseResponse, "description":
                        "same_person: the existing case, updated"}})
async def register(request: RegistrationRequest, actor: Staff, response: Response,
                   runtime: Runtime, context: Context) -> CaseResponse:
    resolution = request.resolution
    require_in_county(request.survey.region_key, context.county)
    async with runtime.uow() as uow:
        registered = await register_arrival(uow, context.protection, RegisterArrival(
            identity=request.identity, answers=request.survey.model_dump(),
            registered_on=request.registered_on or runtime.clock.today(),
            decision=resolution.decision if resolution else None,
            existing_case_id=resolution.case_id if resolution else None), actor)
    if not registered.created:
        response.status_code = status.HTTP_200_OK
    return CaseResponse.of(registered.case)


@router.post("/cases/search", response_model=SearchResponse, tags=["cases"],
             summary="Find cases by name and birth date (spelling variants included)",
             dependencies=[Depends(search_limit)], responses=RATE_LIMITED)
async def search(request: SearchRequest, actor: Staff, runtime: Runtime, context: Context
                 ) -> SearchResponse:
    async with runtime.uow() as uow:
        found = await case_work.search_person(
            uow, context.protection, request.family_name, request.given_names,
            request.birth_date, actor, request.purpose)
    return SearchResponse(matches=[CandidateResponse.of(each) for each in found])


@router.get("/cases/{case_id}", response_model=CaseRecordResponse, tags=["cases"],
            summary="One case with the person's identity (audited)")
async def read(case_id: uuid.UUID, purpose: Purpose, actor: Staff, runtime: Runtime,
               context: Context) -> CaseRecordResponse:
    async with runtime.uow() as uow:
        record = await case_work.read_case(uow, context.protection, case_id, actor, purpose)
    return _record(record)


@router.patch("/cases/{case_id}/survey", response_model=SurveyUpdateResponse, tags=["cases"],
              summary="Correct survey answers (announces only the changed fields)")
async def update_survey(case_id: uuid.UUID, correction: SurveyCorrection, actor: Staff,
                        runtime: Runtime, context: Context) -> SurveyUpdateResponse:
    answers = correction.model_dump(exclude_unset=True)
    require_in_county(answers.get("region_key"), context.county)
    async with runtime.uow() as uow:
        case, changes = await case_work.update_survey(uow, case_id, answers, actor)
    return SurveyUpdateResponse(**CaseResponse.of(case).model_dump(),
                                changed_fields=sorted(changes))


@router.post("/cases/{case_id}/close", response_model=CaseResponse, tags=["cases"],
             summary="Close the case: the pathway ended")
async def close(case_id: uuid.UUID, request: CloseRequest, actor: Staff, runtime: Runtime
                ) -> CaseResponse:
    async with runtime.uow() as uow:
        case = await case_work.close_case(uow, case_id,
                                          request.closed_on or runtime.clock.today(),
                                          request.reason, actor)
    return CaseResponse.of(case)


@router.delete("/cases/{case_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["cases"],
               summary="Erase the person (crypto-shredding; every service deletes the case)")
async def erase(case_id: uuid.UUID, actor: Staff, runtime: Runtime) -> Response:
    async with runtime.uow() as uow:
        await case_work.erase_case(uow, case_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/cases/{case_id}/export", response_model=ExportResponse, tags=["cases"],
            summary="Data-subject export: all intake stores about the person (audited)")
async def export(case_id: uuid.UUID, actor: Staff, runtime: Runtime, context: Context
                 ) -> ExportResponse:
    async with runtime.uow() as uow:
        exported = await case_work.export_case(uow, context.protection, case_id, actor)
    return export_response(exported)


@router.get("/duplicates", response_model=list[SuspicionResponse], tags=["duplicates"],
            summary="Suspected duplicates")
async def list_suspicions(actor: Staff, runtime: Runtime, status_: Annotated[
        SuspicionStatus | None, Query(alias="status")] = SuspicionStatus.OPEN,
        ) -> list[SuspicionResponse]:
    async with runtime.uow() as uow:
        found = await uow.suspicions.listed(status_)
    return [_suspicion(each) for each in found]


@router.post("/duplicates", response_model=SuspicionResponse, tags=["duplicates"],
             status_code=status.HTTP_201_CREATED,
             summary="Record that two existing cases may be one person")
async def suspect(request: SuspicionRequest, actor: Staff, runtime: Runtime, context: Context
                  ) -> SuspicionResponse:
    async with runtime.uow() as uow:
        suspicion = await duplicates.suspect_duplicate(
            uow, context.protection, request.case_id, request.other_case_id, actor)
    return _suspicion(suspicion)


@router.post("/duplicates/scan", response_model=list[SuspicionResponse], tags=["duplicates"],
             summary="Find likely duplicates among existing cases; records them as open")
async def scan(actor: Staff, runtime: Runtime, context: Context) -> list[SuspicionResponse]:
    async with runtime.uow() as uow:
        found = await duplicates.scan_for_duplicates(uow, context.protection, actor)
    return [_suspicion(each) for each in found]


@router.post("/duplicates/{suspicion_id}/merge", response_model=SuspicionResponse,
             tags=["duplicates"], summary="One person: merge into the surviving case")
async def merge(suspicion_id: uuid.UUID, request: MergeRequest, actor: Staff,
                runtime: Runtime, context: Context) -> SuspicionResponse:
    async with runtime.uow() as uow:
        suspicion = await duplicates.merge_duplicate(uow, context.protection, suspicion_id,
                                                     request.surviving_case_id, actor)
    return _suspicion(suspicion)


@router.post("/duplicates/{suspicion_id}/dismiss", response_model=SuspicionResponse,
             tags=["duplicates"], summary="Two different people: dismiss the suspicion")
async def dismiss(suspicion_id: uuid.UUID, actor: Staff, runtime: Runtime
                  ) -> SuspicionResponse:
    async with runtime.uow() as uow:
        suspicion = await duplicates.dismiss_duplicate(uow, suspicion_id, actor)
    return _suspicion(suspicion)


@router.post("/disclosures/contacts", response_model=ContactDisclosure, tags=["disclosures"],
             summary="Contact details of your participants who consented (providers; "
                     "audited)",
             description="For each referral code that is a confirmed placement in one of "
                         "your courses (the provider id comes from your token) — a course a "
                         "coordinator approved, in the county, running today (from "
                         "`disclosure_lead_days` before its start to its last day) — of an "
                         "open case whose "
                         "person consented to share contact details with the provider: the "
                         "names, the phone number if they agreed to be called, the e-mail "
                         "address if they agreed to be written to. Each disclosure is "
                         "written to the audit log.")
async def contacts(request: ContactRequest, actor: Provider, runtime: Runtime,
                   context: Context) -> ContactDisclosure:
    async with runtime.uow() as uow:
        disclosed = await disclose_contacts(uow, context.protection, actor,
                                            request.referral_codes,
                                            policy=runtime.settings.disclosure_policy,
                                            today=runtime.clock.today())
    return ContactDisclosure(contacts=[ContactResponse(
        referral_code=each.referral_code, family_name=each.details.family_name,
        given_names=each.details.given_names, phone=each.details.phone,
        email=each.details.email) for each in disclosed])


@router.get("/audit", response_model=list[AuditEntryResponse], tags=["audit"],
            summary="The audit log, newest first (admins)")
async def audit(actor: Admin, runtime: Runtime, case_id: uuid.UUID | None = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                ) -> list[AuditEntryResponse]:
    async with runtime.uow() as uow:
        entries = await uow.audit_entries.entries(case_id=case_id, limit=limit, before=before)
    return [AuditEntryResponse(**entry.__dict__) for entry in entries]
