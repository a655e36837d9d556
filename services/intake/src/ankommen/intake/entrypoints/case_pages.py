"""Case work pages for intake staff: search, the case page, correcting the survey, closing,
erasing, and the data-subject export.

The pages call the same use cases as the API (:mod:`..service.case_work`,
:mod:`..service.case_views`). Names, birth dates and file numbers travel only in POST bodies —
URLs end up in logs; a case id (random) and a purpose (a word from a fixed list) may be in
one. Every read of a person is audited with the purpose the clerk chose; nothing is
preselected, so the purpose in the log is the clerk's, not a default's. A case id that is
malformed, unknown, erased or merged answers a page in the clerk's language, never JSON.

A page that shows a case reads it in one unit of work: whether the case exists, then its
audited read (the case page, the export) — one transaction, one connection per request. The
pages that change a case check it first in a unit of their own (:data:`ExistingCase`): the
change is a unit that commits.
"""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.config import IntakeRuntime
from ankommen.intake.domain.audit import Purpose
from ankommen.intake.domain.case import Case
from ankommen.intake.domain.identity import FileNumber, FileNumberKind, Identity
from ankommen.intake.entrypoints import shown
from ankommen.intake.entrypoints.dependencies import (
    Context,
    Runtime,
    SignIn,
    StaffOnPage,
    WebContext,
)
from ankommen.intake.entrypoints.http import export_response
from ankommen.intake.entrypoints.pages import (
    FormLists,
    Lists,
    error_summary,
    form_field,
    form_options,
    registration_body,
    survey_form_values,
)
from ankommen.intake.service import case_views, case_work
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.events.contracts.intake import ClosureReason, Survey
from ankommen.shared.identity.auth import Principal
from ankommen.shared.reference import Lang, ReferenceList
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.i18n import Translator
from ankommen.shared.web.pages import PageAuth, Pages

#: The purposes a clerk may give for looking at a person (placement disclosure is the
#: providers', never a clerk's reason).
CLERK_PURPOSES = [purpose for purpose in Purpose if purpose is not Purpose.PLACEMENT_DISCLOSURE]
SEARCH_FIELDS = ("family_name", "given_names", "birth_date")


class PageAnswer(Exception):  # noqa: N818 - not an error: a page answered early
    """A page that answers the request instead of the route (e.g. "no such case")."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def answer_page(_: Request, answer: Exception) -> Response:
    """The page a :class:`PageAnswer` carries (installed for that exception only; Starlette
    types every handler as taking any exception)."""
    if isinstance(answer, PageAnswer):
        return answer.response
    raise answer


def case_id_of(text: str) -> uuid.UUID | None:
    """A case id from the path; a malformed one is a case that does not exist (a page, not
    FastAPI's JSON validation error)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def shown_lang(t: Translator) -> Lang:
    return "en" if t.language == "en" else "de"


def purpose_of(text: str | None) -> Purpose | None:
    try:
        return Purpose(text) if text else None
    except ValueError:
        return None


def corrected_answers(form: dict[str, Any], current: Survey, lists: FormLists, t: Translator
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers the clerk changed (JSON form) and the refusals (field -> reason), read
    from the correction form as the registration form reads its survey part."""
    body, problems = registration_body(form, lists, t)
    proposed = {**body["survey"], "age_years": current.age_years}
    try:
        corrected = Survey.model_validate(proposed).model_dump(mode="json")
    except ValidationError as invalid:
        shown_errors = form_errors(invalid.errors(), t,
                                   lambda location: form_field(("survey", *location)))
        return {}, {**problems, **{field: reason for field, reason in shown_errors.items()
                                   if field not in problems}}
    if problems:
        return {}, problems
    before = current.model_dump(mode="json")
    return {name: value for name, value in corrected.items() if before[name] != value}, {}


async def _form_values(request: Request) -> dict[str, Any]:
    """The form's fields, ``name[]`` ones as lists (as the registration form reads them)."""
    data = await request.form()
    return {key: data.getlist(key) if key.endswith("[]") else str(data.get(key) or "")
            for key in data}


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {key: str(data.get(key) or "").strip() for key in data}


def search_errors(form: dict[str, str], t: Translator, today: date
                  ) -> tuple[dict[str, str], dict[str, Any]]:
    """The refusals of a search form (field -> reason) and, if none, its parsed query."""
    errors: dict[str, str] = {}
    query: dict[str, Any] = {}
    purpose = purpose_of(form.get("purpose"))
    if purpose is None or purpose not in CLERK_PURPOSES:
        errors["purpose"] = t("error.missing")
    query["purpose"] = purpose
    if form.get("file_number"):
        try:
            FileNumber(kind=FileNumberKind.OTHER, number=form["file_number"])
            query["file_number"] = form["file_number"]
        except ValidationError as invalid:
            errors.update(form_errors(invalid.errors(), t, lambda _: "file_number"))
        return errors, query
    for name in SEARCH_FIELDS:
        if not form.get(name):
            errors[name] = t("error.missing")
    if errors:
        return errors, query
    try:
        probe = Identity.model_validate(
            {name: form[name] for name in SEARCH_FIELDS}, context={"today": today})
    except ValidationError as invalid:
        errors.update(form_errors(invalid.errors(), t, lambda location: str(location[0])))
        return errors, query
    query.update(family_name=probe.family_name, given_names=probe.given_names,
                 birth_date=probe.birth_date)
    return errors, query


router = APIRouter(include_in_schema=False)


def install(app: FastAPI, pages: Pages, page_auth: PageAuth, municipalities: ReferenceList
            ) -> None:
    """The handler that lets a page dependency answer with a page, the templates' helpers
    for showing answers, and the correction form kept across a sign-in."""
    app.add_exception_handler(PageAnswer, answer_page)
    pages.templates.env.globals.update(shown.template_globals(municipalities))
    # A survey correction sent after the session ended is kept and shown again after sign-in.
    page_auth.keep_forms_on("/ui/cases/{case_id}/survey")


def render(request: Request, actor: Principal, context: WebContext, template: str,
           values: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return context.pages.render(request, template, {"purposes": CLERK_PURPOSES, **values},
                                principal=actor, status_code=status_code)


def gone(request: Request, actor: Principal, context: WebContext,
         merged_into: uuid.UUID | None = None) -> HTMLResponse:
    """The "no such case" page, pointing to the case it was merged into if it was."""
    return render(request, actor, context, "case_missing.html", {"merged_into": merged_into},
                  404)


async def case_or_gone(uow: IntakeUnitOfWork, request: Request, actor: Principal,
                       context: WebContext, case_id: str) -> Case:
    """The path's case if it exists, read in the page's own unit of work; else the "no such
    case" page answers (:class:`PageAnswer`)."""
    wanted = case_id_of(case_id)
    if wanted is None:
        raise PageAnswer(gone(request, actor, context))
    try:
        return await case_views.current_case(uow, wanted)
    except NotFound:
        merged = await case_views.merged_into_survivor(uow, wanted)
        raise PageAnswer(gone(request, actor, context, merged)) from None


async def existing_case_id(request: Request, case_id: str, actor: StaffOnPage,
                           runtime: Runtime, context: Context) -> uuid.UUID:
    """The path's case id if the case exists; else the "no such case" page answers (for
    the pages that change a case: the change is a unit of its own)."""
    async with runtime.uow() as uow:
        return (await case_or_gone(uow, request, actor, context, case_id)).case_id


ExistingCase = Annotated[uuid.UUID, Depends(existing_case_id)]


@router.get("/ui/cases", response_class=HTMLResponse)
async def search_form(request: Request, actor: StaffOnPage, context: Context,
                      sign_in: SignIn) -> HTMLResponse:
    kept = sign_in.kept_form(request)  # after re-authentication for the purpose
    return render(request, actor, context, "case_search.html", {
        "form": kept or {}, "errors": {}, "results": None, "form_restored": kept is not None})


async def search_page_limit(request: Request, context: Context) -> None:
    """The search page's own limit (429 beyond it), apart from the API's."""
    await context.search_page_limit(request)


@router.post("/ui/cases", response_class=HTMLResponse,
             dependencies=[Depends(search_page_limit)])
async def search(request: Request, actor: StaffOnPage, runtime: Runtime, context: Context,
                 sign_in: SignIn) -> Response:
    form = await _form(request)
    t = context.pages.translator(request)
    errors, query = search_errors(form, t, runtime.clock.today())
    if errors:
        return render(request, actor, context, "case_search.html",
                      {"form": form, "errors": errors, "results": None}, 422)
    # Results show identities: a purpose not yet confirmed in this session asks for the
    # password again first (the search fields wait server-side, never in the URL).
    again = sign_in.recent_sign_in(
        request, "identity_purpose", back_to="/ui/cases", once_for=query["purpose"].value,
        form={name: value for name, value in form.items() if name != "csrftoken"})
    if again is not None:
        return again
    async with runtime.uow() as uow:
        if "file_number" in query:
            results = await case_views.search_by_file_number(
                uow, context.protection, query["file_number"], actor, query["purpose"])
        else:
            results = await case_views.search_by_name(
                uow, context.protection, query["family_name"], query["given_names"],
                query["birth_date"], actor, query["purpose"])
    return render(request, actor, context, "case_search.html", {
        "form": form, "errors": {}, "results": results, "purpose": query["purpose"]})


@router.get("/ui/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, actor: StaffOnPage, runtime: Runtime,
                    context: Context, sign_in: SignIn, purpose: str | None = None,
                    done: str | None = None) -> Response:
    # One unit for the page: whether the case exists, then its audited read.
    async with runtime.uow() as uow:
        wanted = (await case_or_gone(uow, request, actor, context, case_id)).case_id
        chosen = purpose_of(purpose)
        if chosen is None or chosen not in CLERK_PURPOSES:  # ask first: a read needs its reason
            return render(request, actor, context, "case_purpose.html", {
                "case_id": wanted, "errors": {"purpose": context.pages.translator(request)(
                    "error.missing")} if purpose is not None else {}},
                          422 if purpose is not None else 200)
        again = sign_in.recent_sign_in(
            request, "identity_purpose", back_to=f"/ui/cases/{wanted}?purpose={chosen.value}",
            once_for=chosen.value)
        if again is not None:
            return again
        overview = await case_views.case_overview(uow, context.protection, wanted, actor,
                                                  chosen)
    return render(request, actor, context, "case.html", {
        "overview": overview, "purpose": chosen,
        "done": done if done in ("saved", "unchanged") else None})


def survey_page(request: Request, actor: Principal, context: WebContext, lists: FormLists,
                case_id: uuid.UUID, form: dict[str, Any], errors: dict[str, str],
                status_code: int = 200, *, restored: bool = False) -> HTMLResponse:
    t = context.pages.translator(request)
    return render(request, actor, context, "case_survey.html", {
        "case_id": case_id, "form": form, "errors": errors, "form_restored": restored,
        "summary": error_summary(errors, t), **form_options(lists, shown_lang(t))},
                  status_code)


@router.get("/ui/cases/{case_id}/survey", response_class=HTMLResponse)
async def survey_form_page(request: Request, case_id: str, actor: StaffOnPage,
                           runtime: Runtime, context: Context, lists: Lists, sign_in: SignIn
                           ) -> HTMLResponse:
    async with runtime.uow() as uow:
        case = await case_or_gone(uow, request, actor, context, case_id)
    kept = sign_in.kept_form(request)  # sent after the session had ended
    values = kept if kept is not None else survey_form_values(
        case.survey.model_dump(mode="json"), lists,
        shown_lang(context.pages.translator(request)))
    return survey_page(request, actor, context, lists, case.case_id, values, {},
                       restored=kept is not None)


@router.post("/ui/cases/{case_id}/survey", response_class=HTMLResponse)
async def correct_survey(request: Request, wanted: ExistingCase, actor: StaffOnPage,
                         runtime: Runtime, context: Context, lists: Lists) -> Response:
    form = await _form_values(request)
    t = context.pages.translator(request)
    async with runtime.uow() as uow:
        case = await case_views.current_case(uow, wanted)
    changed, errors = corrected_answers(form, case.survey, lists, t)
    if errors:
        return survey_page(request, actor, context, lists, wanted, form, errors, 422)
    try:
        async with runtime.uow() as uow:
            await case_work.update_survey(uow, wanted, changed, actor)
    except DomainError:
        return survey_page(request, actor, context, lists, wanted, form,
                           {"form": t("casework.case.closed_already")}, 409)
    done = "saved" if changed else "unchanged"
    return RedirectResponse(f"/ui/cases/{wanted}?purpose=correction&done={done}",
                            status_code=303)


@router.get("/ui/cases/{case_id}/close", response_class=HTMLResponse)
async def close_form(request: Request, wanted: ExistingCase, actor: StaffOnPage,
                     runtime: Runtime, context: Context) -> HTMLResponse:
    return render(request, actor, context, "case_close.html", {
        "case_id": wanted, "form": {}, "errors": {}, "reasons": list(ClosureReason),
        "today": runtime.clock.today()})


@router.post("/ui/cases/{case_id}/close", response_class=HTMLResponse)
async def close(request: Request, wanted: ExistingCase, actor: StaffOnPage, runtime: Runtime,
                context: Context) -> Response:
    form = await _form(request)
    t = context.pages.translator(request)
    today = runtime.clock.today()
    errors: dict[str, str] = {}
    reason = None
    try:
        reason = ClosureReason(form.get("reason", ""))
    except ValueError:
        errors["reason"] = t("error.missing")
    closed_on = today if form.get("today") else None
    if closed_on is None:
        try:
            closed_on = date.fromisoformat(form.get("closed_on", ""))
        except ValueError:
            errors["closed_on"] = (t("error.date_parsing") if form.get("closed_on")
                                   else t("error.missing"))
    if closed_on is not None and closed_on > today:
        errors["closed_on"] = t("error.date_in_future")
    if not errors and reason is not None and closed_on is not None:
        try:
            async with runtime.uow() as uow:
                await case_work.close_case(uow, wanted, closed_on, reason, actor)
        except DomainError as error:
            if error.field == "closed_on":
                errors["closed_on"] = t("casework.close.refused_before_registration")
            else:
                errors["form"] = t("casework.case.closed_already")
        else:
            return RedirectResponse(f"/ui/cases/{wanted}?purpose=correction",
                                    status_code=303)
    return render(request, actor, context, "case_close.html", {
        "case_id": wanted, "form": form, "errors": errors, "reasons": list(ClosureReason),
        "today": today}, 422)


@router.get("/ui/cases/{case_id}/erase", response_class=HTMLResponse)
async def erase_form(request: Request, wanted: ExistingCase, actor: StaffOnPage,
                     context: Context, sign_in: SignIn) -> HTMLResponse:
    kept = sign_in.kept_form(request)  # back from confirming with the password
    return render(request, actor, context, "case_erase.html", {
        "case_id": wanted, "errors": {}, "form_restored": kept is not None,
        "confirmed": bool(kept and kept.get("confirm") == "erase")})


@router.post("/ui/cases/{case_id}/erase", response_class=HTMLResponse)
async def erase(request: Request, wanted: ExistingCase, actor: StaffOnPage, runtime: Runtime,
                context: Context, sign_in: SignIn) -> Response:
    form = await _form(request)
    if form.get("confirm") != "erase":  # the second, deliberate step is required
        return render(request, actor, context, "case_erase.html", {
            "case_id": wanted, "errors": {"confirm": context.pages.translator(request)(
                "casework.erase.confirm_missing")}}, 422)
    # Erasure cannot be undone: the password again unless it was entered just now.
    again = sign_in.recent_sign_in(request, "erase", back_to=f"/ui/cases/{wanted}/erase",
                                   form={"confirm": "erase"})
    if again is not None:
        return again
    async with runtime.uow() as uow:
        await case_work.erase_case(uow, wanted, actor)
    # Redirected: the page after erasure has no case id in its address (nor in its
    # language link), and reloading it does not post again.
    return RedirectResponse("/ui/erased", status_code=303)


@router.get("/ui/erased", response_class=HTMLResponse)
async def erased(request: Request, actor: StaffOnPage, context: Context) -> HTMLResponse:
    return render(request, actor, context, "case_erased.html", {})


async def _exported(request: Request, case_id: str, actor: Principal, runtime: IntakeRuntime,
                    context: WebContext) -> tuple[uuid.UUID, case_work.DataExport]:
    """The data-subject export (audited), in one unit with the check that the case exists."""
    async with runtime.uow() as uow:
        wanted = (await case_or_gone(uow, request, actor, context, case_id)).case_id
        return wanted, await case_work.export_case(uow, context.protection, wanted, actor)


@router.get("/ui/cases/{case_id}/export")
async def export_download(request: Request, case_id: str, actor: StaffOnPage,
                          runtime: Runtime, context: Context) -> Response:
    wanted, exported = await _exported(request, case_id, actor, runtime, context)
    return Response(export_response(exported).model_dump_json(indent=2),
                    media_type="application/json", headers={
                        "Content-Disposition": f'attachment; filename="auskunft-{wanted}.json"',
                        "Cache-Control": "no-store"})


@router.get("/ui/cases/{case_id}/export/print", response_class=HTMLResponse)
async def export_print(request: Request, case_id: str, actor: StaffOnPage, runtime: Runtime,
                       context: Context) -> HTMLResponse:
    _, exported = await _exported(request, case_id, actor, runtime, context)
    response = render(request, actor, context, "case_export.html", {"exported": exported})
    response.headers["Cache-Control"] = "no-store"
    return response
