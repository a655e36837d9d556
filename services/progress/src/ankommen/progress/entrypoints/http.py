"""Progress's HTTP API: providers report (single, batch, CSV) and read their participants'
histories; coordinators see how many cases are known.

A provider's identity is the ``provider_id`` claim of its token, never a request field.

The routes are defined at module level; what they need of the running service comes through
typed dependencies (:mod:`ankommen.progress.entrypoints.dependencies`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Path, Query, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ankommen.progress.adapters.csv_rows import UnreadableFile, UploadTooLarge
from ankommen.progress.config import ProgressRuntime, ProgressSettings
from ankommen.progress.domain.participation import Standing, Status
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.progress.domain.state import ParticipationState
from ankommen.progress.entrypoints.dependencies import Provider, Runtime
from ankommen.progress.service import views
from ankommen.progress.service.csv_import import CsvResult, import_csv
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    Verdict,
    parse_report,
    rejected,
    submit_in_batches,
    submit_reports,
)
from ankommen.shared.errors import Forbidden, problem
from ankommen.shared.events.contracts.progress import Report
from ankommen.shared.identity.auth import Principal, Role, requires

REFERRAL_CODE = Path(pattern=r"^[A-Z0-9-]{6,20}$", description="The referral code")
STATUS_OF = {ProblemKind.FORBIDDEN: 403, ProblemKind.CONFLICT: 409, ProblemKind.INVALID: 422}
TITLE_OF = {403: "Forbidden", 409: "Conflict", 422: "Report refused"}


class KnownCasesSummary(BaseModel):
    count: int


class ProblemItem(BaseModel):
    field: str
    reason: str


class ReportResult(BaseModel):
    report_id: str | None
    referral_code: str | None
    status: Verdict
    errors: list[ProblemItem] = []


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[ReportResult]


class ReportBatch(BaseModel):
    reports: list[dict[str, Any]] = Field(
        min_length=1, max_length=1000,
        description="Report objects as for POST /reports; each is validated on its own, so "
                    "one faulty report does not refuse the others.")


class RejectedRow(BaseModel):
    row: int
    report_id: str | None
    referral_code: str | None
    errors: list[ProblemItem]


class CsvResultOut(BaseModel):
    dry_run: bool = Field(False, description="A preview: nothing was stored; the counts are "
                                             "what storing the same list would give.")
    rows: int
    accepted: int
    duplicates: int
    rejected: list[RejectedRow]


def csv_result_out(result: CsvResult) -> CsvResultOut:
    return CsvResultOut(dry_run=result.dry_run, rows=result.rows, accepted=result.accepted,
                        duplicates=result.duplicates, rejected=[
                            RejectedRow(row=item.row, report_id=item.outcome.report_id,
                                        referral_code=item.outcome.referral_code,
                                        errors=result_of(item.outcome).errors)
                            for item in result.rejected])


#: The form around an uploaded file; the route's body limit is the file's limit plus this, and
#: beyond it the body is not even read (413 from the app's body limit).
FORM_OVERHEAD_BYTES = 64 * 1024


def csv_limits(runtime: ProgressRuntime) -> tuple[int, int]:
    """(max bytes, max rows) of one CSV upload, from the service's settings."""
    settings = runtime.settings
    return settings.csv_max_bytes, settings.csv_max_rows


async def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The file, refused before parsing when it is larger than ``max_bytes``."""
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadTooLarge("file", f"larger than {max_bytes / 1024 / 1024:g} MB; "
                                     "split the list", "imports.unreadable.too_large",
                             mb=f"{max_bytes / 1024 / 1024:g}")
    return content


def unreadable_status(error: UnreadableFile) -> int:
    return 413 if isinstance(error, UploadTooLarge) else 422


def unreadable(error: UnreadableFile) -> JSONResponse:
    code = unreadable_status(error)
    return problem(code, "Upload too large" if code == 413 else "Unreadable file", str(error),
                   errors=[{"field": error.field, "reason": error.reason}])


class ParticipantOut(BaseModel):
    referral_code: str
    course_id: str
    course_title: str
    placement_status: str
    status: Status
    state: ParticipationState = Field(
        description="The participation's one state across services (docs/participation.md): "
                    "assignment's placement status once the events have flowed.")


class HistoryEntryOut(BaseModel):
    sequence: int
    report_id: str
    kind: str
    corrects_report_id: str | None
    standing: Standing
    channel: str
    received_at: datetime
    report: dict[str, Any]


class HistoryOut(BaseModel):
    participant: ParticipantOut
    entries: list[HistoryEntryOut]


def result_of(outcome: Outcome) -> ReportResult:
    return ReportResult(report_id=outcome.report_id, referral_code=outcome.referral_code,
                        status=outcome.verdict,
                        errors=[ProblemItem(field=item.field, reason=item.reason)
                                for item in outcome.problems])


def summary_of(outcomes: list[Outcome]) -> BatchResult:
    def count(verdict: Verdict) -> int:
        return sum(1 for outcome in outcomes if outcome.verdict is verdict)

    return BatchResult(accepted=count(Verdict.ACCEPTED), duplicates=count(Verdict.DUPLICATE),
                       rejected=count(Verdict.REJECTED),
                       results=[result_of(outcome) for outcome in outcomes])


def refusal(problems: list[Problem]) -> JSONResponse:
    """The most serious kind decides the status: forbidden over conflict over invalid."""
    code = min(STATUS_OF[item.kind] for item in problems)
    detail = "; ".join(f"{item.field}: {item.reason}" for item in problems)
    return problem(code, TITLE_OF[code], detail,
                   errors=[{"field": item.field, "reason": item.reason} for item in problems])


def provider_of(principal: Principal) -> str:
    if not principal.provider_id:
        raise Forbidden("the token names no provider", field="provider_id")
    return principal.provider_id


def participant_out(view: views.ParticipantView) -> ParticipantOut:
    return ParticipantOut(referral_code=view.referral_code, course_id=view.course_id,
                          course_title=view.course_title,
                          placement_status=view.placement_status, status=view.status,
                          state=view.state)


#: The answers of a refused report, for the schema.
REFUSED: dict[int | str, dict[str, object]] = {
    code: {"description": title} for code, title in TITLE_OF.items()}

#: Submitting reports (and the coordinators' count of known cases).
reporting = APIRouter()
#: The list upload: its body limit comes from the settings (:func:`routers`).
uploads = APIRouter()
#: What a provider reads of its own participants.
reading = APIRouter()


def routers(settings: ProgressSettings) -> list[APIRouter]:
    """The API in its order, the upload under the limit of ``settings`` (known only when the
    service is built, so given where the routes are included: a larger body is not even
    read)."""
    limited = APIRouter(max_body_size=settings.csv_max_bytes + FORM_OVERHEAD_BYTES)
    limited.include_router(uploads)
    return [reporting, limited, reading]


@reporting.get("/cases/count", response_model=KnownCasesSummary, tags=["cases"],
               summary="How many cases are known",
               dependencies=[requires(Role.COORDINATOR, Role.ADMIN)])
async def count_cases(runtime: Runtime) -> KnownCasesSummary:
    async with runtime.uow() as uow:
        return KnownCasesSummary(count=await views.known_cases(uow))


@reporting.post("/reports", response_model=ReportResult, status_code=status.HTTP_201_CREATED,
                tags=["reports"], summary="Submit one report", responses={
                    200: {"model": ReportResult, "description": "Already received (same id "
                                                                "and content): no change"},
                    **REFUSED})
async def submit_report(report: Annotated[Report, Body()], principal: Provider,
                        runtime: Runtime) -> Any:
    provider_id = provider_of(principal)
    async with runtime.uow() as uow:
        [outcome] = await submit_reports(uow, provider_id, [report], Channel.HTTP)
        await uow.commit()
    if outcome.verdict is Verdict.REJECTED:
        return refusal(outcome.problems)
    if outcome.verdict is Verdict.DUPLICATE:
        return JSONResponse(result_of(outcome).model_dump(mode="json"), status_code=200)
    return result_of(outcome)


@reporting.post("/reports/batch", response_model=BatchResult, tags=["reports"],
                summary="Submit many reports; a result per report")
async def submit_batch(batch: ReportBatch, principal: Provider, runtime: Runtime
                       ) -> BatchResult:
    provider_id = provider_of(principal)
    items: list[Report | Outcome] = []
    for raw in batch.reports:
        report, problems = parse_report(raw)
        items.append(report if report is not None else rejected(raw, problems))
    return summary_of(await submit_in_batches(runtime.uow, provider_id, items, Channel.HTTP))


@uploads.post("/reports/csv", response_model=CsvResultOut, tags=["reports"],
              summary="Upload a list of reports (CSV or Excel); a result per row",
              description="CSV (UTF-8 or Windows-1252/Latin-1; separated by semicolons, "
                          "commas or tabs) or an Excel workbook (.xlsx, first sheet; no "
                          "macros). German or English headers as in the template "
                          "(`Vermittlungscode`, `Meldungsart`, `Datum` …, docs/progress.md), "
                          "German or ISO dates, decimal commas, German words for kinds, "
                          "reasons, exams and yes/no. `Meldungs-ID` is optional: without it a "
                          "row's id is derived from its content, so the same list again is "
                          "all duplicates. `mapping` maps our column names to unusual "
                          "headers as a JSON object. `dry_run=true` stores nothing and "
                          "answers what storing would give (the same shape). Row numbers "
                          "count the header as row 1.",
              responses={413: {"description": "The upload is larger than the configured "
                                              "limit (`ANKOMMEN_PROGRESS_CSV_MAX_BYTES`)"},
                         422: {"description": "The file cannot be read as a list"}})
async def upload_csv(file: Annotated[UploadFile, File()], principal: Provider,
                     runtime: Runtime,
                     mapping: Annotated[str | None, Form(max_length=4000)] = None,
                     dry_run: Annotated[bool, Query(
                         description="Preview only: store nothing")] = False) -> Any:
    provider_id = provider_of(principal)
    max_bytes, max_rows = csv_limits(runtime)
    try:
        result = await import_csv(runtime.uow, provider_id,
                                  await read_upload(file, max_bytes), mapping, max_rows,
                                  dry_run=dry_run)
    except UnreadableFile as error:
        return unreadable(error)
    return csv_result_out(result)


@reading.get("/participants", response_model=list[ParticipantOut], tags=["participants"],
             summary="The provider's own participants, by referral code")
async def list_participants(principal: Provider, runtime: Runtime) -> list[ParticipantOut]:
    async with runtime.uow() as uow:
        found = await views.participants(uow, provider_of(principal))
    return [participant_out(view) for view in found]


@reading.get("/participants/{referral_code}/reports", response_model=HistoryOut,
             tags=["participants"], summary="Every report of one participant, corrections "
                                            "and retractions included",
             responses={403: {"description": "Not a placement in your courses"}})
async def read_history(referral_code: Annotated[str, REFERRAL_CODE], principal: Provider,
                       runtime: Runtime) -> HistoryOut:
    async with runtime.uow() as uow:
        found = await views.history(uow, provider_of(principal), referral_code)
    return HistoryOut(participant=participant_out(found.participant), entries=[
        HistoryEntryOut(sequence=entry.sequence, report_id=entry.report.report_id,
                        kind=entry.report.kind,
                        corrects_report_id=entry.report.corrects_report_id,
                        standing=entry.standing, channel=entry.channel,
                        received_at=entry.received_at,
                        report=entry.report.model_dump(mode="json"))
        for entry in found.entries])
