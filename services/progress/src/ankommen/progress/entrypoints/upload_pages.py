"""The provider's list pages: upload a list (CSV or Excel), see a preview of what would be
stored, then "Übernehmen" (store the same rows) or "Abbrechen" (store nothing); and download
a course's list template.

Between preview and commit the file waits server-side
(:class:`~ankommen.progress.adapters.pending_uploads.PendingUploads`); the page carries only
its random id, and the provider comes from the signed-in principal, never from the form.
Preview and commit are the same use case as the API's upload (``dry_run`` and not).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ankommen.progress.adapters.csv_rows import UnreadableFile
from ankommen.progress.adapters.list_template import template_csv, template_xlsx
from ankommen.progress.adapters.pending_uploads import PendingUploads
from ankommen.progress.config import ProgressRuntime, ProgressSettings
from ankommen.progress.entrypoints.dependencies import ProviderPage, ProviderSite, Runtime, Site
from ankommen.progress.entrypoints.http import (
    FORM_OVERHEAD_BYTES,
    csv_limits,
    provider_of,
    read_upload,
    unreadable_status,
)
from ankommen.progress.entrypoints.problem_words import column_text, reason_text, unreadable_text
from ankommen.progress.service import views
from ankommen.progress.service.csv_import import import_csv
from ankommen.progress.service.list_templates import course_roster
from ankommen.shared.identity.auth import Principal

COURSE_ID = Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
UPLOAD_ID = r"^[A-Za-z0-9_-]{16,64}$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Pending lists kept at most, together, in multiples of the upload limit.
PENDING_UPLOADS_IN_LIMITS = 2


#: The list pages; the preview, which takes the upload, is in :data:`previews`.
router = APIRouter(include_in_schema=False)
#: The upload's preview: its body limit comes from the settings (:func:`routers`).
previews = APIRouter(include_in_schema=False)


def routers(settings: ProgressSettings) -> list[APIRouter]:
    """The list pages, the preview under the upload limit of ``settings`` (known only when
    the service is built: a larger body is not even read)."""
    limited = APIRouter(max_body_size=settings.csv_max_bytes + FORM_OVERHEAD_BYTES)
    limited.include_router(previews)
    return [router, limited]


def pending_uploads(runtime: ProgressRuntime) -> PendingUploads:
    """Where a previewed list waits for "Übernehmen" (one store per service)."""
    max_bytes, _ = csv_limits(runtime)
    return PendingUploads(runtime.clock, PENDING_UPLOADS_IN_LIMITS * max_bytes)


async def upload_form(request: Request, principal: Principal, runtime: ProgressRuntime,
                      site: ProviderSite, *, error: UnreadableFile | None = None,
                      notice: str | None = None, status_code: int = 200) -> HTMLResponse:
    max_bytes, max_rows = csv_limits(runtime)
    async with runtime.uow() as uow:
        found = await views.participants(uow, provider_of(principal))
    courses = sorted({(item.course_id, item.course_title) for item in found},
                     key=lambda course: (course[1], course[0]))
    return site.pages.render(request, "upload.html", {
        "error": error, "notice": notice, "courses": courses, "unreadable_text":
        unreadable_text, "max_mb": max_bytes / 1024 / 1024, "max_rows": max_rows},
        principal=principal, status_code=status_code)


def result_page(request: Request, principal: Principal, site: ProviderSite, template: str,
                context: dict[str, Any]) -> HTMLResponse:
    return site.pages.render(request, template, {
        **context, "reason_text": reason_text, "column_text": column_text},
        principal=principal)


@router.get("/upload", response_class=HTMLResponse)
async def upload_page(request: Request, principal: ProviderPage, runtime: Runtime,
                      site: Site) -> HTMLResponse:
    return await upload_form(request, principal, runtime, site)


@previews.post("/upload", response_class=HTMLResponse)
async def preview(request: Request, file: Annotated[UploadFile, File()],
                  principal: ProviderPage, runtime: Runtime, site: Site) -> HTMLResponse:
    provider_id = provider_of(principal)
    max_bytes, max_rows = csv_limits(runtime)
    try:
        content = await read_upload(file, max_bytes)
        result = await import_csv(runtime.uow, provider_id, content, None, max_rows,
                                  dry_run=True)
    except UnreadableFile as error:
        return await upload_form(request, principal, runtime, site, error=error,
                                 status_code=unreadable_status(error))
    upload_id = (site.pending_uploads.put(provider_id, content, file.filename or "")
                 if result.accepted else None)
    return result_page(request, principal, site, "upload_preview.html", {
        "result": result, "upload_id": upload_id})


@router.post("/upload/commit", response_class=HTMLResponse)
async def commit(request: Request, upload: Annotated[str, Form(pattern=UPLOAD_ID)],
                 principal: ProviderPage, runtime: Runtime, site: Site) -> HTMLResponse:
    provider_id = provider_of(principal)
    waiting = site.pending_uploads.get(upload, provider_id)
    if waiting is None:
        return await upload_form(request, principal, runtime, site, notice="imports.expired",
                                 status_code=410)
    _, max_rows = csv_limits(runtime)
    try:
        result = await import_csv(runtime.uow, provider_id, waiting.content, None, max_rows)
    finally:
        site.pending_uploads.remove(upload, provider_id)
    return result_page(request, principal, site, "upload_result.html", {"result": result})


@router.post("/upload/cancel", response_class=HTMLResponse)
async def cancel(request: Request, upload: Annotated[str, Form(pattern=UPLOAD_ID)],
                 principal: ProviderPage, runtime: Runtime, site: Site) -> HTMLResponse:
    site.pending_uploads.remove(upload, provider_of(principal))
    return await upload_form(request, principal, runtime, site, notice="imports.cancelled")


@router.get("/courses/{course_id}/template.xlsx")
async def template_workbook(course_id: Annotated[str, COURSE_ID], principal: ProviderPage,
                            runtime: Runtime) -> Response:
    async with runtime.uow() as uow:
        roster = await course_roster(uow, provider_of(principal), course_id)
    return Response(template_xlsx(roster.title, roster.referral_codes), media_type=XLSX,
                    headers=attachment(f"meldungen-{course_id}.xlsx"))


@router.get("/courses/{course_id}/template.csv")
async def template_list(course_id: Annotated[str, COURSE_ID], principal: ProviderPage,
                        runtime: Runtime) -> Response:
    async with runtime.uow() as uow:
        roster = await course_roster(uow, provider_of(principal), course_id)
    return Response(template_csv(roster.referral_codes),
                    media_type="text/csv; charset=utf-8",
                    headers=attachment(f"meldungen-{course_id}.csv"))


def attachment(filename: str) -> dict[str, str]:
    """A download under ``filename`` (a course id: letters, digits and ``_.:-`` only)."""
    return {"content-disposition": f'attachment; filename="{filename.replace(":", "-")}"',
            "cache-control": "no-store"}
