"""Coordinator pages for courses: enter and change a course with pickers, and approve, return,
postpone or cancel it after a page that shows what the decision would do.

Every form goes through the API's use cases (:mod:`ankommen.assignment.service.catalogue`,
:mod:`ankommen.assignment.service.course_actions`); the confirmation pages run the same use
case rolled back (:func:`~ankommen.assignment.service.course_actions.consequences`). A page
reads on one unit of work (:mod:`ankommen.assignment.service.views`): the course, the
providers or titles, and the decision's preview.

The routes are defined at module level; the service, its pages and the signed-in principal
come through typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.entrypoints.dependencies import (
    PageApprovers,
    PageCoordinators,
    Policy,
    Runtime,
    ServicePages,
)
from ankommen.assignment.service import catalogue
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.course_actions import (
    Consequences,
    InvalidPostponement,
    postpone_course,
)
from ankommen.assignment.service.views import CourseViews, course_views
from ankommen.shared.errors import DomainError
from ankommen.shared.events.contracts.assignment import Course, CourseMode, CourseStatus
from ankommen.shared.events.contracts.vocabulary import (
    CourseType,
    GermanLevel,
    OpaqueId,
    TimeSlot,
)
from ankommen.shared.identity.auth import Principal
from ankommen.shared.reference import DirectoryError
from ankommen.shared.text import SHOWN_TEXT
from ankommen.shared.web import Pages
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.i18n import Translator

#: Single-valued form fields that are the course contract's own fields.
SIMPLE_FIELDS = ("title", "provider_id", "course_type", "entry_level", "target_level",
                 "region_key", "mode", "status", "starts_on", "ends_on", "entry_until",
                 "offer_response_days", "hours", "capacity", "minimum_participants",
                 "childcare_places", "daily_start", "daily_end", "what_to_bring")
#: Nested parts of the contract, as ``<group>_<part>`` form fields.
GROUPS = {"venue": ("name", "street", "postal_code", "city"),
          "contact": ("name", "phone", "email")}
#: Statuses a person sets: running and completed follow the dates, cancelling is an action.
SETTABLE_STATUSES = (CourseStatus.PLANNED, CourseStatus.OPEN)
#: The course contract's own consistency checks, by the field they are about.
CONSISTENCY = {"ends_on": "coord.error.ends_before_start",
               "entry_until": "coord.error.entry_outside",
               "minimum_participants": "coord.error.minimum_above_capacity"}
#: A use case's refusal about a field, in words.
REFUSALS = {"region_key": "coord.error.outside_county",
            "capacity": "coord.error.capacity_taken",
            "childcare_places": "coord.error.childcare_taken",
            "status": "coord.error.status", "starts_on": "coord.error.postpone_later",
            "provider_id": "coord.error.provider"}
Action = Literal["approve", "return", "postpone", "cancel"]


class ReturnReason(BaseModel):
    """Why a course goes back to its provider: the provider reads it."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=500), SHOWN_TEXT]


def field_name(location: tuple[int | str, ...]) -> str:
    """The form field of a contract location (``("venue", "city")`` → ``venue_city``)."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if not parts:
        return "form"
    if parts[0] in GROUPS and len(parts) > 1:
        return f"{parts[0]}_{parts[1]}"
    return parts[0]


def page_errors(errors: list[ErrorDetails], t: Translator) -> dict[str, str]:
    """Field → German (or English) reason; the contract's cross-field checks by their field."""
    shown: dict[str, str] = {}
    rest: list[ErrorDetails] = []
    for error in errors:
        name = str(error.get("msg", "")).removeprefix("Value error, ").partition(":")[0]
        if not error["loc"] and name in CONSISTENCY:
            shown.setdefault(name, t(CONSISTENCY[name]))
        else:
            rest.append(error)
    return {**form_errors(rest, t, field_name), **shown}


def refusal_errors(error: DomainError, t: Translator) -> dict[str, str] | None:
    """A use case's refusal shown at its field, or None to show it as an error page."""
    if error.field in REFUSALS:
        return {error.field: t(REFUSALS[error.field])}
    return None


def course_body(form: Mapping[str, Any], schedule: list[str], course_id: str,
                providers: Mapping[str, str]) -> dict[str, Any]:
    """The course contract's body from the form: empty fields left out (the contract says
    which are required), nested parts only when any of them was filled in."""
    body: dict[str, Any] = {"course_id": course_id, "schedule": schedule,
                            "transport_offered": form.get("transport_offered") == "yes"}
    for name in SIMPLE_FIELDS:
        value = str(form.get(name) or "").strip()
        if value:
            body[name] = value
    for group, parts in GROUPS.items():
        filled = {part: str(form.get(f"{group}_{part}") or "").strip() for part in parts}
        if any(filled.values()):
            body[group] = {part: value for part, value in filled.items() if value}
    provider = body.get("provider_id")
    if isinstance(provider, str) and provider in providers and providers[provider] != provider:
        body["provider_name"] = providers[provider]
    return body


def course_form(course: Course) -> dict[str, Any]:
    """The form's values of a stored course (for changing it)."""
    values = course.model_dump(mode="json")
    form: dict[str, str | list[str]] = {
        name: "" if values.get(name) is None else str(values[name]) for name in SIMPLE_FIELDS}
    for group, parts in GROUPS.items():
        nested: Mapping[str, Any] = values.get(group) or {}
        form.update({f"{group}_{part}": nested.get(part) or "" for part in parts})
    form["daily_start"] = form["daily_start"][:5]
    form["daily_end"] = form["daily_end"][:5]
    form["schedule"] = list(values["schedule"])
    form["transport_offered"] = "yes" if course.transport_offered else ""
    return form


def county_regions(runtime: AssignmentRuntime, language: str) -> list[tuple[str, str | None]]:
    """The county's districts, then its municipalities by name: (key, name) for a picker; a
    district is named by the page's words (its name is None here)."""
    options: list[tuple[str, str | None]] = [
        (key, None) for key in sorted(runtime.settings.districts)]
    # A test county without directory rows still gets its districts.
    with contextlib.suppress(DirectoryError):
        options += [(option.code, option.name) for option in runtime.settings.municipalities()
                    .options("en" if language == "en" else "de")]
    return options


@dataclass(frozen=True)
class CourseContext:
    """What the course pages need of the running service, for one request."""

    runtime: AssignmentRuntime
    pages: Pages
    policy: AllocationPolicy


async def _context(runtime: Runtime, pages: ServicePages, policy: Policy) -> CourseContext:
    return CourseContext(runtime, pages, policy)


Context = Annotated[CourseContext, Depends(_context)]

router = APIRouter(include_in_schema=False)


def views(ctx: CourseContext, principal: Principal) -> contextlib.AbstractAsyncContextManager[
        CourseViews]:
    """The request's one read unit (:mod:`ankommen.assignment.service.views`)."""
    return course_views(ctx.runtime.uow, principal, ctx.runtime.settings.kafka_provider_ids)


def render_form(ctx: CourseContext, request: Request, principal: Principal,
                form: dict[str, Any], errors: dict[str, str], providers: dict[str, str], *,
                course_id: str | None, current_status: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    t = ctx.pages.translator(request)
    statuses = [each.value for each in SETTABLE_STATUSES]
    if current_status and current_status not in statuses:
        statuses.append(current_status)
    return ctx.pages.render(request, "course_form.html", {
        "form": form, "errors": errors, "course_id": course_id,
        "providers": providers,
        "regions": county_regions(ctx.runtime, t.language),
        "course_types": list(CourseType), "levels": list(GermanLevel),
        "modes": list(CourseMode), "slots": list(TimeSlot), "statuses": statuses},
        principal=principal, status_code=status_code)


async def save(ctx: CourseContext, request: Request, principal: Principal,
               current: Course | None) -> Response:
    course_id = current.course_id if current else None
    current_status = current.status.value if current else None
    submitted = await request.form()
    form: dict[str, str | list[str]] = {name: str(value)
                                        for name, value in submitted.items()}
    schedule = [str(slot) for slot in submitted.getlist("schedule")]
    form["schedule"] = schedule
    t = ctx.pages.translator(request)
    async with views(ctx, principal) as read:
        providers = await read.providers()
    body = course_body(form, schedule, course_id or f"k-{uuid.uuid4().hex[:12]}",
                       providers)
    if current is not None:
        # What the form does not show stays as it was (coordinates for travel times; the
        # name the provider announced, if the provider stays).
        body.update(latitude=current.latitude, longitude=current.longitude)
        if body.get("provider_id") == current.provider_id and "provider_name" not in body:
            body["provider_name"] = current.provider_name
    try:
        course = Course.model_validate(body)
    except ValidationError as invalid:
        return render_form(ctx, request, principal, form, page_errors(invalid.errors(), t),
                           providers, course_id=course_id, current_status=current_status,
                           status_code=422)
    try:
        async with ctx.runtime.uow() as uow:
            if course_id is None:
                await catalogue.publish_course(uow, principal, course, policy=ctx.policy)
            else:
                await catalogue.update_course(uow, principal, course, policy=ctx.policy)
            await uow.commit()
    except DomainError as refused:
        errors = refusal_errors(refused, t)
        if errors is None:
            raise
        return render_form(ctx, request, principal, form, errors, providers,
                           course_id=course_id, current_status=current_status,
                           status_code=refused.status)
    return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/ui/courses/new", response_class=HTMLResponse)
async def new_course(ctx: Context, request: Request,
                     principal: PageCoordinators) -> HTMLResponse:
    async with views(ctx, principal) as read:
        providers = await read.providers()
    return render_form(ctx, request, principal, {"schedule": []}, {}, providers,
                       course_id=None)


@router.post("/ui/courses/new")
async def create_course(ctx: Context, request: Request,
                        principal: PageCoordinators) -> Response:
    return await save(ctx, request, principal, None)


@router.get("/ui/courses/{course_id}/edit", response_class=HTMLResponse)
async def edit_course(ctx: Context, request: Request, course_id: OpaqueId,
                      principal: PageCoordinators) -> HTMLResponse:
    async with views(ctx, principal) as read:
        course = await read.course(course_id)
        providers = await read.providers()
    return render_form(ctx, request, principal, course_form(course), {}, providers,
                       course_id=course_id, current_status=course.status.value)


@router.post("/ui/courses/{course_id}/edit")
async def change_course(ctx: Context, request: Request, course_id: OpaqueId,
                        principal: PageCoordinators) -> Response:
    async with ctx.runtime.uow() as uow:
        current = await catalogue.course_for(uow, principal, course_id)
    return await save(ctx, request, principal, current)


async def what_if(ctx: CourseContext, read: CourseViews, principal: Principal, course_id: str,
                  action: Action, starts_on: date | None) -> Consequences:
    async def change(uow: AssignmentUnitOfWork) -> Course:
        if action == "approve":
            return await catalogue.approve_course(uow, principal, course_id, policy=ctx.policy)
        if action == "return":
            return await catalogue.return_course(uow, principal, course_id, "-",
                                                 policy=ctx.policy)
        if action == "cancel":
            return await catalogue.cancel_course(uow, principal, course_id, policy=ctx.policy)
        if starts_on is None:
            raise ValueError("a postponement's consequences need its new start")
        return await postpone_course(uow, principal, course_id, starts_on, policy=ctx.policy)

    return await read.consequences(course_id, change, policy=ctx.policy)


async def confirmation(ctx: CourseContext, request: Request, principal: Principal,
                       course_id: str, action: Action, *, starts_on: date | None = None,
                       errors: dict[str, str] | None = None,
                       form: dict[str, str] | None = None,
                       status_code: int = 200) -> HTMLResponse:
    errors = dict(errors or {})
    outcome = None
    async with views(ctx, principal) as read:
        # What the page shows of the course is read before the decision's preview changes it.
        course = await read.course(course_id)
        names = await read.course_names()
        if action != "postpone" or (starts_on is not None and "starts_on" not in errors):
            try:
                outcome = await what_if(ctx, read, principal, course_id, action, starts_on)
            except InvalidPostponement:
                errors["starts_on"] = ctx.pages.translator(request)(
                    "coord.error.postpone_later")
                status_code = 422
    return ctx.pages.render(request, "course_confirm.html", {
        "course": course, "action": action, "outcome": outcome, "errors": errors,
        "form": form or {"starts_on": starts_on.isoformat() if starts_on else ""},
        "course_names": names}, principal=principal, status_code=status_code)


@router.get("/ui/courses/{course_id}/approve", response_class=HTMLResponse)
async def confirm_approval(ctx: Context, request: Request, course_id: OpaqueId,
                           principal: PageApprovers) -> HTMLResponse:
    return await confirmation(ctx, request, principal, course_id, "approve")


@router.get("/ui/courses/{course_id}/return", response_class=HTMLResponse)
async def confirm_return(ctx: Context, request: Request, course_id: OpaqueId,
                         principal: PageApprovers) -> HTMLResponse:
    return await confirmation(ctx, request, principal, course_id, "return")


@router.get("/ui/courses/{course_id}/cancel", response_class=HTMLResponse)
async def confirm_cancel(ctx: Context, request: Request, course_id: OpaqueId,
                         principal: PageApprovers) -> HTMLResponse:
    return await confirmation(ctx, request, principal, course_id, "cancel")


@router.get("/ui/courses/{course_id}/postpone", response_class=HTMLResponse)
async def confirm_postponement(ctx: Context, request: Request, course_id: OpaqueId,
                               principal: PageApprovers,
                               starts_on: Annotated[date | None, Query()] = None
                               ) -> HTMLResponse:
    """First the new start is asked for (a date picker), then the consequences shown."""
    return await confirmation(ctx, request, principal, course_id, "postpone",
                              starts_on=starts_on)


@router.post("/ui/courses/{course_id}/return")
async def return_course(ctx: Context, request: Request, course_id: OpaqueId,
                        principal: PageApprovers,
                        reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    t = ctx.pages.translator(request)
    try:
        checked = ReturnReason(reason=reason)
    except ValidationError as invalid:
        return await confirmation(ctx, request, principal, course_id, "return",
                                  errors=form_errors(invalid.errors(), t, field_name),
                                  form={"reason": reason}, status_code=422)
    async with ctx.runtime.uow() as uow:
        await catalogue.return_course(uow, principal, course_id, checked.reason,
                                      policy=ctx.policy)
        await uow.commit()
    return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/ui/courses/{course_id}/cancel")
async def cancel_course(ctx: Context, course_id: OpaqueId,
                        principal: PageApprovers) -> RedirectResponse:
    async with ctx.runtime.uow() as uow:
        await catalogue.cancel_course(uow, principal, course_id, policy=ctx.policy)
        await uow.commit()
    return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/ui/courses/{course_id}/postpone")
async def postpone(ctx: Context, request: Request, course_id: OpaqueId,
                   principal: PageApprovers,
                   starts_on: Annotated[str, Form(max_length=20)] = "") -> Response:
    t = ctx.pages.translator(request)
    try:
        new_start = date.fromisoformat(starts_on)
    except ValueError:
        return await confirmation(ctx, request, principal, course_id, "postpone",
                                  errors={"starts_on": t("error.date_parsing")},
                                  status_code=422)
    try:
        async with ctx.runtime.uow() as uow:
            await postpone_course(uow, principal, course_id, new_start, policy=ctx.policy)
            await uow.commit()
    except InvalidPostponement:
        return await confirmation(ctx, request, principal, course_id, "postpone",
                                  errors={"starts_on": t("coord.error.postpone_later")},
                                  form={"starts_on": starts_on}, status_code=422)
    return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)
