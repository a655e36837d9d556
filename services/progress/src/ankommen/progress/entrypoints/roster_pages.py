"""The roster grid (``/courses/{course_id}/roster``): a provider reports one kind for all
participants of one of its own courses at once, and sees an outcome per row. First the kind
is chosen (nothing preselected), then the grid for it; the same use case as every channel
(:mod:`ankommen.progress.service.roster`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse

from ankommen.progress.entrypoints.dependencies import ProviderPage, ProviderSite, Runtime, Site
from ankommen.progress.entrypoints.problem_words import reason_text
from ankommen.progress.entrypoints.refused_pages import provider_of
from ankommen.progress.service.reporting import Outcome, Verdict
from ankommen.progress.service.roster import KINDS, Roster, roster_of, submit_roster
from ankommen.shared.events.contracts.progress import DiscontinuationReason, ExamType
from ankommen.shared.events.contracts.vocabulary import GermanLevel
from ankommen.shared.identity.auth import Principal

COURSE_ID = Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
#: The pickers' choices as (value, vocabulary enum): the value is sent, the word shown.
CHOICES = {
    "exam": [(exam.value, "exam_type") for exam in ExamType],
    "level_reached": [(level.value, "german_level") for level in GermanLevel],
    "reason": [(reason.value, "discontinuation_reason") for reason in DiscontinuationReason],
}
#: Longest value a roster cell takes (dates, numbers, picker values).
CELL = 40


router = APIRouter(include_in_schema=False)

async def show(site: ProviderSite, request: Request, principal: Principal, roster: Roster,
               kind: str | None, *, common: dict[str, str] | None = None,
               rows: dict[str, dict[str, str]] | None = None,
               outcomes: dict[str, Outcome] | None = None, missing: Sequence[str] = (),
               status_code: int = 200) -> HTMLResponse:
    return site.pages.render(request, "roster.html", {
        "course": roster.course, "codes": roster.referral_codes, "kind": kind,
        "kinds": list(KINDS), "fields": KINDS.get(kind or "", ((), ())),
        "choices": CHOICES, "common": common or {}, "rows": rows or {},
        "outcomes": outcomes or {}, "missing": list(missing), "Verdict": Verdict,
        "reason_text": reason_text},
        principal=principal, status_code=status_code)


@router.get("/courses/{course_id}/roster", response_class=HTMLResponse)
async def roster_page(request: Request, course_id: Annotated[str, COURSE_ID],
                      principal: ProviderPage, runtime: Runtime, site: Site,
                      kind: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
    async with runtime.uow() as uow:
        roster = await roster_of(uow, provider_of(principal), course_id)
    return await show(site, request, principal, roster, kind if kind in KINDS else None)


# Excel roster upload: added once the import lands
@router.post("/courses/{course_id}/roster", response_class=HTMLResponse)
async def submit(request: Request, course_id: Annotated[str, COURSE_ID],
                 principal: ProviderPage, runtime: Runtime, site: Site,
                 kind: Annotated[str | None, Form(max_length=20)] = None) -> HTMLResponse:
    # The course first: another provider's course is refused before anything is read.
    provider_id = provider_of(principal)
    async with runtime.uow() as uow:
        roster = await roster_of(uow, provider_id, course_id)
    if kind not in KINDS:
        return await show(site, request, principal, roster, None, missing=["kind"],
                          status_code=422)
    form = await request.form()
    shared_fields, row_fields = KINDS[kind]

    def cell(name: str) -> str:
        value = form.get(name)
        return value.strip()[:CELL] if isinstance(value, str) else ""

    common = {name: cell(name) for name in shared_fields}
    rows = {code: {name: cell(f"{name}.{code}") for name in row_fields}
            for code in roster.referral_codes}
    missing = [name for name, value in common.items() if not value]
    if missing:
        return await show(site, request, principal, roster, kind, common=common, rows=rows,
                          missing=missing, status_code=422)
    async with runtime.uow() as uow:
        outcomes = await submit_roster(uow, provider_id, roster, kind, common, rows)
        await uow.commit()
    return await show(site, request, principal, roster, kind, common=common, rows=rows,
                      outcomes=outcomes)
