"""The provider's refused reports (``/refused``): what it sent by any channel that was
refused, newest first, with the German reason — the provider's own only (from the signed-in
token, never from the request)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ankommen.progress.entrypoints.dependencies import ProviderPage, Runtime, Site
from ankommen.progress.entrypoints.problem_words import reason_text
from ankommen.progress.service.refusals import refused_reports
from ankommen.shared.clock import COUNTY_TIME
from ankommen.shared.errors import Forbidden
from ankommen.shared.identity.auth import Principal

router = APIRouter(include_in_schema=False)


def provider_of(principal: Principal) -> str:
    if not principal.provider_id:
        raise Forbidden("the token names no provider", field="provider_id")
    return principal.provider_id


@router.get("/refused", response_class=HTMLResponse)
async def refused_page(request: Request, principal: ProviderPage, runtime: Runtime,
                       site: Site) -> HTMLResponse:
    async with runtime.uow() as uow:
        found = await refused_reports(uow, provider_of(principal))
    return site.pages.render(request, "refused.html", {
        "refused": found, "reason_text": reason_text, "county_time": COUNTY_TIME,
        "retention_days": runtime.settings.refused_report_retention_days},
        principal=principal)
