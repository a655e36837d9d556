"""The provider's referrals page (``/ui/referrals``): its open offers to confirm or decline,
one by one or several at once with a result per row, and the answered ones below.
Coordinators may look at every provider's offers; only a provider answers, and only its own
(the provider comes from the signed-in principal, never from the form).

The routes are defined at module level; the service, its pages and the signed-in principal
come through typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.entrypoints.dependencies import Policy, Runtime, ServicePages
from ankommen.assignment.service.referral_answers import (
    MAX_BULK,
    Answer,
    AnswerResult,
    answer_referrals,
    offers_of,
)
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.web import Pages
from ankommen.shared.web.pages import require_page_role

#: Who may open the referrals page; everyone else's guard stays as it was.
VIEWERS = frozenset({Role.PROVIDER, Role.COORDINATOR, Role.ADMIN})
#: The ticked referral codes as the form sends them. No ``max_length`` here: on a list it
#: limits the number of codes (it once refused a 21st ticked row with a bare 422), not their
#: length; the handler caps the number at ``MAX_BULK`` with a page, the use case checks each
#: code's format and check character, the body size is capped by the hardening middleware.
CODE = Form()


#: Who may open the page, and who answers on it.
Viewers = Annotated[Principal, require_page_role(*VIEWERS)]
Providers = Annotated[Principal, require_page_role(Role.PROVIDER)]

#: The referrals page (its link is in ``pages.NAVIGATION``, shown to ``VIEWERS``).
router = APIRouter(include_in_schema=False)


async def page(runtime: AssignmentRuntime, pages: Pages, request: Request,
               principal: Principal, results: list[AnswerResult] | None = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    async with runtime.uow() as uow:
        open_offers, answered = await offers_of(uow, principal)
    return pages.render(request, "referrals.html", {
        "open": open_offers, "answered": answered,
        "results": results or [],
        "result_of": {result.referral_code: result for result in results or []},
        "may_answer": principal.role is Role.PROVIDER, "error": error,
        "answers": list(Answer)}, principal=principal, status_code=status_code)


@router.get("/ui/referrals", response_class=HTMLResponse)
async def referrals_page(runtime: Runtime, pages: ServicePages, request: Request,
                         principal: Viewers) -> HTMLResponse:
    return await page(runtime, pages, request, principal)


@router.post("/ui/referrals", response_class=HTMLResponse)
async def answer(runtime: Runtime, pages: ServicePages, policy: Policy, request: Request,
                 principal: Providers, codes: Annotated[tuple[str, ...], CODE] = (),
                 answer: Annotated[Answer | None, Form()] = None,
                 row: Annotated[str | None, Form(max_length=40)] = None) -> HTMLResponse:
    # One row's own button ("confirm:CODE") or the bulk buttons with the ticked rows.
    if row:
        chosen, _, code = row.partition(":")
        if chosen not in set(Answer) or not code:
            return await page(runtime, pages, request, principal,
                              error="referrals.error.choice", status_code=422)
        answer, codes = Answer(chosen), (code,)
    if answer is None:
        return await page(runtime, pages, request, principal, error="referrals.error.choice",
                          status_code=422)
    if not codes:
        return await page(runtime, pages, request, principal,
                          error="referrals.error.none_ticked", status_code=422)
    if len(codes) > MAX_BULK:
        return await page(runtime, pages, request, principal,
                          error="referrals.error.too_many", status_code=422)
    results = await answer_referrals(runtime.uow, principal, codes, answer, policy=policy)
    return await page(runtime, pages, request, principal, results)
