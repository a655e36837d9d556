"""The invitation letter's route for intake staff: ``GET /ui/cases/{case_id}/letter``.

A page route, not an API one: it answers a PDF, a small German page asking for the language
(when the person's first language has no letter yet, or none was given) or a German error
page — never JSON, so every parameter is taken as text and checked here.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.intake.domain.letter import PRINTABLE
from ankommen.intake.entrypoints.dependencies import Context, Runtime, StaffOnPage
from ankommen.intake.service.letters import (
    CourseNotKnown,
    PlacementNotConfirmed,
    letter_languages,
    letter_target,
    prepare_letter,
    render,
)
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.identity.auth import Principal
from ankommen.shared.web.i18n import Translator


def status_word(t: Translator, status: PlacementStatus) -> str:
    """A placement's status in words (static keys, so that a test finds each text)."""
    return {PlacementStatus.DECLINED: t("letter.status.declined"),
            PlacementStatus.WITHDRAWN: t("letter.status.withdrawn"),
            PlacementStatus.COMPLETED: t("letter.status.completed"),
            PlacementStatus.DISCONTINUED: t("letter.status.discontinued")}.get(
        status, status.value)


router = APIRouter(include_in_schema=False)


def refuse(request: Request, actor: Principal, context: Context, message: str,
           status_code: int) -> HTMLResponse:
    return context.pages.render(request, "letter_error.html", {"message": message},
                                principal=actor, status_code=status_code)


@router.get("/ui/cases/{case_id}/letter", response_model=None)
async def letter(request: Request, actor: StaffOnPage, runtime: Runtime, context: Context,
                 case_id: str, referral_code: str = "", language: str = "") -> Response:
    t = context.pages.translator(request)
    try:
        case_uuid = uuid.UUID(case_id)
    except ValueError:
        return refuse(request, actor, context, t("letter.error.no_case"), 404)
    chosen = PRINTABLE.get(language) if language else None
    if language and chosen is None:
        return refuse(request, actor, context,
                      t("letter.error.language", language=language[:20]), 422)
    try:
        async with runtime.uow() as uow:
            target = await letter_target(uow, case_uuid, referral_code.strip())
            chosen = chosen or target.default_language
            if chosen is None:
                return context.pages.render(request, "letter_language.html", {
                    "case_id": case_uuid, "referral_code": target.referral_code,
                    "languages": letter_languages()}, principal=actor)
            letter_text = await prepare_letter(uow, context.protection, target, chosen,
                                               runtime.settings.letter_sender, actor)
    except PlacementNotConfirmed as error:
        return refuse(request, actor, context, t("letter.error.not_confirmed",
                                                 status=status_word(t, error.placement_status)),
                      409)
    except CourseNotKnown:
        return refuse(request, actor, context, t("letter.error.course_unknown"), 409)
    except NotFound as error:
        return refuse(request, actor, context, t("letter.error.no_placement")
                      if error.field == "referral_code" else t("letter.error.no_case"), 404)
    except DomainError:
        return refuse(request, actor, context, t("letter.error.closed"), 409)
    pdf = await render(letter_text)
    filename = f"einladung-{target.referral_code}-{chosen.code}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store"})
