"""The review queue of suspected duplicates (*Dublettenprüfung*): open suspicions — found by
the scan or recorded by staff — each pair side by side, to merge ("same person", keeping one
of the two cases) or dismiss ("different people").

Merging cannot be undone (the other case's data key is destroyed), so it asks for a
confirmation that says what it does; the merged case's spelling stays an alias of the kept
one (:mod:`..service.aliases`). Every pair shown is audited as a read for duplicate review.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ankommen.intake.entrypoints.dependencies import Context, Runtime, StaffOnPage
from ankommen.intake.entrypoints.duplicate_review import side_by_side
from ankommen.intake.service import case_views, duplicates
from ankommen.shared.errors import DomainError
from ankommen.shared.identity.auth import Principal

router = APIRouter(include_in_schema=False)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def listed(request: Request, actor: Principal, runtime: Runtime, context: Context,
                 notice: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The queue of open pairs (each side shown audited), with a notice of what was done."""
    async with runtime.uow() as uow:
        pairs = await case_views.open_pairs(uow, context.protection, actor)
    return context.pages.render(request, "duplicates.html", {
        "pairs": pairs, "side_by_side": side_by_side, "notice": notice}, principal=actor,
        status_code=status_code)


@router.get("/ui/duplicates", response_class=HTMLResponse)
async def open_suspicions(request: Request, actor: StaffOnPage, runtime: Runtime,
                          context: Context, done: str | None = None) -> HTMLResponse:
    notice = done if done in ("merged", "dismissed", "scanned") else None
    return await listed(request, actor, runtime, context, notice)


@router.post("/ui/duplicates/scan")
async def scan(actor: StaffOnPage, runtime: Runtime, context: Context) -> Response:
    async with runtime.uow() as uow:
        await duplicates.scan_for_duplicates(uow, context.protection, actor)
    return RedirectResponse("/ui/duplicates?done=scanned", status_code=303)


@router.get("/ui/duplicates/{suspicion_id}/merge", response_class=HTMLResponse)
async def merge_confirmation(request: Request, suspicion_id: str, actor: StaffOnPage,
                             runtime: Runtime, context: Context, keep: str = ""
                             ) -> HTMLResponse:
    wanted, kept = _uuid(suspicion_id), _uuid(keep)
    pair = None
    if wanted is not None:
        async with runtime.uow() as uow:
            pair = await case_views.open_pair(uow, context.protection, wanted, actor)
    if pair is None or kept not in (pair.left.case_id, pair.right.case_id):
        return await listed(request, actor, runtime, context, "gone", 404)
    surviving, merged = ((pair.left, pair.right) if kept == pair.left.case_id
                         else (pair.right, pair.left))
    return context.pages.render(request, "duplicate_merge.html", {
        "pair": pair, "surviving": surviving, "merged": merged,
        "side_by_side": side_by_side}, principal=actor)


@router.post("/ui/duplicates/{suspicion_id}/merge")
async def merge(request: Request, suspicion_id: str, actor: StaffOnPage, runtime: Runtime,
                context: Context) -> Response:
    form = await request.form()
    wanted, kept = _uuid(suspicion_id), _uuid(str(form.get("keep") or ""))
    if wanted is None or kept is None or form.get("confirm") != "merge":
        return await listed(request, actor, runtime, context, "gone",
                            404 if wanted is None else 422)
    try:
        async with runtime.uow() as uow:
            await duplicates.merge_duplicate(uow, context.protection, wanted, kept, actor)
    except DomainError:
        return await listed(request, actor, runtime, context, "gone", 409)
    return RedirectResponse("/ui/duplicates?done=merged", status_code=303)


@router.post("/ui/duplicates/{suspicion_id}/dismiss")
async def dismiss(request: Request, suspicion_id: str, actor: StaffOnPage, runtime: Runtime,
                  context: Context) -> Response:
    wanted = _uuid(suspicion_id)
    if wanted is None:
        return await listed(request, actor, runtime, context, "gone", 404)
    try:
        async with runtime.uow() as uow:
            await duplicates.dismiss_duplicate(uow, wanted, actor)
    except DomainError:
        return await listed(request, actor, runtime, context, "gone", 409)
    return RedirectResponse("/ui/duplicates?done=dismissed", status_code=303)
