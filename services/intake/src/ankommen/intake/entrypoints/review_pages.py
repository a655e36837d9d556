"""The review queue of suspected duplicates (*Dublettenprüfung*): open suspicions — found by
the scan or recorded by staff — each pair side by side, to merge ("same person", keeping one
of the two cases) or dismiss ("different people").

Merging cannot be undone (the other case's data key is destroyed), so it asks for a
confirmation that says what it does; the merged case's spelling stays an alias of the kept
one (:mod:`..service.aliases`). Every pair shown is audited as a read for duplicate review.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ankommen.intake.config import IntakeRuntime
from ankommen.intake.entrypoints.duplicate_review import side_by_side
from ankommen.intake.service import case_views, duplicates
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.errors import DomainError
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.web.pages import PageAuth, Pages


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def router(runtime: IntakeRuntime, protection: IdentityProtection, pages: Pages,
           page_auth: PageAuth) -> APIRouter:
    review = APIRouter(include_in_schema=False)
    staff = page_auth.require(Role.INTAKE_STAFF)

    def queue(request: Request, actor: Principal, pairs: list[case_views.SuspectedPair], *,
              notice: str | None = None, status_code: int = 200) -> HTMLResponse:
        return pages.render(request, "duplicates.html", {
            "pairs": pairs, "side_by_side": side_by_side, "notice": notice}, principal=actor,
            status_code=status_code)

    async def listed(request: Request, actor: Principal, notice: str | None = None,
                     status_code: int = 200) -> HTMLResponse:
        async with runtime.uow() as uow:
            pairs = await case_views.open_pairs(uow, protection, actor)
        return queue(request, actor, pairs, notice=notice, status_code=status_code)

    @review.get("/ui/duplicates", response_class=HTMLResponse)
    async def open_suspicions(request: Request, actor: Annotated[Principal, staff],
                              done: str | None = None) -> HTMLResponse:
        notice = done if done in ("merged", "dismissed", "scanned") else None
        return await listed(request, actor, notice)

    @review.post("/ui/duplicates/scan")
    async def scan(actor: Annotated[Principal, staff]) -> Response:
        async with runtime.uow() as uow:
            await duplicates.scan_for_duplicates(uow, protection, actor)
        return RedirectResponse("/ui/duplicates?done=scanned", status_code=303)

    @review.get("/ui/duplicates/{suspicion_id}/merge", response_class=HTMLResponse)
    async def merge_confirmation(request: Request, suspicion_id: str,
                                 actor: Annotated[Principal, staff], keep: str = ""
                                 ) -> HTMLResponse:
        wanted, kept = _uuid(suspicion_id), _uuid(keep)
        pair = None
        if wanted is not None:
            async with runtime.uow() as uow:
                pair = await case_views.open_pair(uow, protection, wanted, actor)
        if pair is None or kept not in (pair.left.case_id, pair.right.case_id):
            return await listed(request, actor, "gone", 404)
        surviving, merged = ((pair.left, pair.right) if kept == pair.left.case_id
                             else (pair.right, pair.left))
        return pages.render(request, "duplicate_merge.html", {
            "pair": pair, "surviving": surviving, "merged": merged,
            "side_by_side": side_by_side}, principal=actor)

    @review.post("/ui/duplicates/{suspicion_id}/merge")
    async def merge(request: Request, suspicion_id: str, actor: Annotated[Principal, staff]
                    ) -> Response:
        form = await request.form()
        wanted, kept = _uuid(suspicion_id), _uuid(str(form.get("keep") or ""))
        if wanted is None or kept is None or form.get("confirm") != "merge":
            return await listed(request, actor, "gone", 404 if wanted is None else 422)
        try:
            async with runtime.uow() as uow:
                await duplicates.merge_duplicate(uow, protection, wanted, kept, actor)
        except DomainError:
            return await listed(request, actor, "gone", 409)
        return RedirectResponse("/ui/duplicates?done=merged", status_code=303)

    @review.post("/ui/duplicates/{suspicion_id}/dismiss")
    async def dismiss(request: Request, suspicion_id: str, actor: Annotated[Principal, staff]
                      ) -> Response:
        wanted = _uuid(suspicion_id)
        if wanted is None:
            return await listed(request, actor, "gone", 404)
        try:
            async with runtime.uow() as uow:
                await duplicates.dismiss_duplicate(uow, wanted, actor)
        except DomainError:
            return await listed(request, actor, "gone", 409)
        return RedirectResponse("/ui/duplicates?done=dismissed", status_code=303)

    return review
