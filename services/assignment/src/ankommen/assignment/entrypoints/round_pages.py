"""The monthly coordination round (*Koordinierungsrunde*): ``/ui/round`` as a printable page and
``/ui/round.pdf`` as a PDF, for coordinators and admins.

Both read one :func:`~ankommen.assignment.service.coordination_round.coordination_round` (one
unit of work) and show the same sections. A signed-in provider (or any other role) is refused
with a page (403), not sent to sign in again: it is signed in, the round is just not its page.

The routes are defined at module level; the service, its pages and the signed-in principal
come through typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.entrypoints.dependencies import Runtime, ServicePages
from ankommen.assignment.entrypoints.round_sections import month_name, sections, title
from ankommen.assignment.service.coordination_round import (
    CoordinationRound,
    Month,
    coordination_round,
)
from ankommen.shared.errors import Forbidden
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.web.pages import require_page_role
from ankommen.shared.web.words import Words

#: ``YYYY-MM`` of a plausible year: what ``<input type=month>`` sends.
MONTH_PATTERN = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"
READERS = (Role.COORDINATOR, Role.ADMIN)
MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN)]


SignedIn = Annotated[Principal, require_page_role(*Role)]

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """The round's pages and their own assets (styles for screen and print)."""
    app.mount("/static/round", StaticFiles(packages=[("ankommen.assignment", "static/round")]),
              name="round-static")
    app.include_router(router)


async def read(runtime: AssignmentRuntime, principal: Principal, month: str | None
               ) -> CoordinationRound:
    if principal.role not in READERS:
        raise Forbidden("role: the coordination round is for the county's coordinators")
    settings = runtime.settings
    today = runtime.clock.today()
    async with runtime.uow() as uow:
        return await coordination_round(
            uow, Month.parse(month) if month else Month.of(today), today=today,
            districts=settings.districts, priority=settings.priority,
            disclosure_minimum=settings.disclosure_minimum,
            postponement_weeks=settings.postponement_weeks)


@router.get("/ui/round", response_class=HTMLResponse)
async def round_page(runtime: Runtime, pages: ServicePages, request: Request,
                     principal: SignedIn, month: MonthQuery = None) -> HTMLResponse:
    round_ = await read(runtime, principal, month)
    t = pages.translator(request)
    words = Words(t, pages.places)
    return pages.render(request, "round.html", {
        "round": round_, "heading": title(round_, t, words),
        "as_of": format_date(round_.as_of, "medium", locale=t.language),
        "sections": sections(round_, t, words),
        "previous": round_.month.previous, "next": round_.month.next,
        "previous_name": month_name(round_.month.previous, t.language),
        "next_name": month_name(round_.month.next, t.language)}, principal=principal)


@router.get("/ui/round.pdf")
async def round_pdf(runtime: Runtime, pages: ServicePages, request: Request,
                    principal: SignedIn, month: MonthQuery = None) -> Response:
    round_ = await read(runtime, principal, month)
    t = pages.translator(request)
    words = Words(t, pages.places)
    subtitle = t("round.pdf.subtitle", day=format_date(round_.as_of, "medium",
                                                       locale=t.language))
    # fpdf2 (with Pillow, ~20 MB resident) at the first round printed, not at start (B6).
    from ankommen.assignment.entrypoints.round_pdf import render_round

    # Laid out in a worker thread (as intake's letters are): the event loop keeps serving.
    content = await run_in_threadpool(render_round, title(round_, t, words), subtitle,
                                      sections(round_, t, words), t)
    return Response(content, media_type="application/pdf", headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="koordinierungsrunde-{round_.month}.pdf"'})
