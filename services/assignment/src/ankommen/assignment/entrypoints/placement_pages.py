"""Coordinator pages for people: the waiting list with filters (each person's next possible
course and what still stands in the way), placing a person by hand with a reason, and a
placement with its explanation.

Filters travel as codes in the query (bookmarkable, no person's data in an address); the person
to place travels in a form's body, never in a link. Placing goes through the API's use case
(:func:`~ankommen.assignment.service.manual_placement.place_by_hand`).

The routes are defined at module level; the service, its pages and the signed-in principal
come through typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.domain.placement import PlacementRecord
from ankommen.assignment.entrypoints.course_pages import county_regions, field_name
from ankommen.assignment.entrypoints.dependencies import (
    PageApprovers,
    PageCoordinators,
    Policy,
    Runtime,
    ServicePages,
)
from ankommen.assignment.service import catalogue, placements
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.manual_placement import (
    ManualPlacementRequest,
    PlacementRefused,
    choices,
    place_by_hand,
)
from ankommen.assignment.service.waiting_view import WaitedLonger, WaitingFilters, waiting_rows
from ankommen.shared.events.contracts.assignment import WaitlistReason
from ankommen.shared.events.contracts.vocabulary import (
    CourseType,
    GermanLevel,
    OpaqueId,
    RegionKey,
)
from ankommen.shared.identity.auth import Principal
from ankommen.shared.web import Pages
from ankommen.shared.web.form_errors import form_errors

#: What a person to place looks like in a form: a pseudonym's characters, nothing else.
Pseudonym = Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


#: A filter as the form sends it: empty when the coordinator chose "all".
FilterCode = Annotated[str | None, Query(max_length=32)]


class WaitingQuery(BaseModel):
    """The waiting list's filters, checked as codes (an empty choice is no filter)."""

    model_config = ConfigDict(extra="forbid")

    reason: WaitlistReason | None = None
    level: GermanLevel | None = None
    region: RegionKey | None = None
    course_type: CourseType | None = None
    waited: WaitedLonger | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _all(cls, value: object) -> object:
        return None if value == "" else value


def waiting_filters(**query: str | None) -> WaitingFilters:
    """The filters of a query; a code that is none of ours is refused like any bad input
    (422, a page in the reader's language)."""
    try:
        checked = WaitingQuery.model_validate(query)
    except ValidationError as invalid:
        raise RequestValidationError([{**error, "loc": ("query", *error["loc"])}
                                      for error in invalid.errors()]) from None
    return WaitingFilters(checked.reason, checked.level, checked.region, checked.course_type,
                          checked.waited)


router = APIRouter(include_in_schema=False)


@router.get("/ui/waiting-list", response_class=HTMLResponse)
async def waiting_page(runtime: Runtime, pages: ServicePages, policy: Policy, request: Request,
                       principal: PageCoordinators, reason: FilterCode = None,
                       level: FilterCode = None, region: FilterCode = None,
                       course_type: FilterCode = None, waited: FilterCode = None
                       ) -> HTMLResponse:
    filters = waiting_filters(reason=reason, level=level, region=region,
                              course_type=course_type, waited=waited)
    async with runtime.uow() as uow:
        rows = await waiting_rows(uow, filters, today=runtime.clock.today(),
                                  districts=policy.districts)
    t = pages.translator(request)
    return pages.render(request, "waiting_list.html", {
        "rows": rows, "filters": filters, "reasons": list(WaitlistReason),
        "levels": list(GermanLevel), "course_types": list(CourseType),
        "waited_options": list(WaitedLonger), "regions": county_regions(runtime, t.language),
        "may_place": principal.role in catalogue.APPROVERS}, principal=principal)


async def placement_form(runtime: AssignmentRuntime, pages: Pages, policy: AllocationPolicy,
                         request: Request, principal: Principal, pseudonym: str,
                         form: dict[str, str], errors: dict[str, str],
                         status_code: int = 200) -> HTMLResponse:
    async with runtime.uow() as uow:
        applicant, offer = await choices(uow, pseudonym, policy)
    return pages.render(request, "manual_placement.html", {
        "applicant": applicant, "offer": offer, "form": form, "errors": errors},
        principal=principal, status_code=status_code)


@router.post("/ui/manual-placement/form", response_class=HTMLResponse)
async def manual_form(runtime: Runtime, pages: ServicePages, policy: Policy, request: Request,
                      principal: PageApprovers, pseudonym: Pseudonym) -> HTMLResponse:
    return await placement_form(runtime, pages, policy, request, principal, pseudonym, {}, {})


@router.post("/ui/manual-placement")
async def manual_place(runtime: Runtime, pages: ServicePages, policy: Policy, request: Request,
                       principal: PageApprovers, pseudonym: Pseudonym,
                       course_id: Annotated[str, Form(max_length=64)] = "",
                       reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    form = {"course_id": course_id, "reason": reason}
    t = pages.translator(request)
    try:
        wanted = ManualPlacementRequest(pseudonym=pseudonym, course_id=course_id,
                                        reason=reason)
    except ValidationError as invalid:
        return await placement_form(runtime, pages, policy, request, principal, pseudonym,
                                    form, form_errors(invalid.errors(), t, field_name),
                                    status_code=422)
    try:
        async with runtime.uow() as uow:
            record = await place_by_hand(uow, principal, wanted, policy=policy)
            await uow.commit()
    except PlacementRefused as refused:
        return await placement_form(runtime, pages, policy, request, principal, pseudonym,
                                    form, {"course_id": t(
                                        f"coord.error.refused.{refused.refusal}")},
                                    status_code=409)
    return RedirectResponse(f"/ui/placements/{record.placement_id}",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/ui/placements/{placement_id}", response_class=HTMLResponse)
async def placement_page(runtime: Runtime, pages: ServicePages, request: Request,
                         placement_id: OpaqueId, principal: PageCoordinators) -> HTMLResponse:
    async with runtime.uow() as uow:
        record: PlacementRecord = await placements.placement_for(uow, principal, placement_id)
        course = await catalogue.course_for(uow, principal, record.course_id)
        audit = [entry for entry in await uow.manual_placements.of_course(record.course_id)
                 if entry.placement_id == placement_id]
    return pages.render(request, "placement.html", {
        "record": record, "course": course, "audit": audit}, principal=principal)
