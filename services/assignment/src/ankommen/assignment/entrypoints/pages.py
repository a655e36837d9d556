"""Coordinator pages: catalogue, allocation (preview with explanations, then run), waiting list,
unmet demand and the course list — server-rendered in the shared frame, no script needed.

The routes are defined at module level; the service, its pages and the signed-in principal
come through typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.domain.courses import entry_deadline, shown_status
from ankommen.assignment.entrypoints import (
    course_pages,
    placement_pages,
    referral_pages,
    round_pages,
)
from ankommen.assignment.entrypoints.dependencies import (
    PageApprovers,
    PageCoordinators,
    Policy,
    Runtime,
    ServicePages,
)
from ankommen.assignment.entrypoints.referral_pages import Viewers
from ankommen.assignment.service import catalogue, queries
from ankommen.assignment.service.allocation import allocate_now, run_allocation
from ankommen.shared.events.contracts.vocabulary import GermanLevel, OpaqueId
from ankommen.shared.identity.auth import Role
from ankommen.shared.web import Pages
from ankommen.shared.web.query import DistrictFilter, LevelFilter
from ankommen.shared.web.words import Places

#: Who sees which link: coordinators the county's pages, providers only their referrals.
COORDINATORS = frozenset({Role.COORDINATOR, Role.ADMIN})
NAVIGATION: list[tuple[str, str] | tuple[str, str, frozenset[Role]]] = [
              ("/ui/courses", "nav.catalogue", COORDINATORS),
              ("/ui/allocation", "nav.allocation", COORDINATORS),
              ("/ui/waiting-list", "nav.waiting", COORDINATORS),
              ("/ui/unmet-demand", "nav.demand", COORDINATORS),
              ("/course-list", "nav.course_list", COORDINATORS),
              ("/ui/round", "nav.round", COORDINATORS),
              ("/ui/referrals", "nav.referrals", referral_pages.VIEWERS)]


def install(app: FastAPI, runtime: AssignmentRuntime) -> None:
    """The service's pages and their sign-in; the routes find both in ``app.state``."""
    pages = Pages("ankommen.assignment", service_title="Kursvermittlung",
                  navigation=NAVIGATION, places=Places.of(runtime.settings))
    runtime.page_auth(pages).install(app)
    # For the page routes defined at module level (``dependencies.ServicePages``).
    app.state.pages = pages
    app.include_router(router)
    round_pages.install(app)
    app.include_router(referral_pages.router)
    app.include_router(course_pages.router)
    app.include_router(placement_pages.router)


router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(principal: Viewers) -> RedirectResponse:
    # Each role to its first page: a provider may open only its referrals.
    first = "/ui/referrals" if principal.role is Role.PROVIDER else "/ui/courses"
    return RedirectResponse(first, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/ui/courses", response_class=HTMLResponse)
async def courses_page(runtime: Runtime, pages: ServicePages, request: Request,
                       principal: PageCoordinators) -> HTMLResponse:
    async with runtime.uow() as uow:
        courses = await catalogue.visible_courses(uow, principal)
    today = runtime.clock.today()
    return pages.render(request, "courses.html", {
        "courses": [(course, shown_status(course, today), entry_deadline(course))
                    for course in courses],
        "may_approve": principal.role in catalogue.APPROVERS},
        principal=principal)


@router.post("/ui/courses/{course_id}/approve")
async def approve_course(runtime: Runtime, policy: Policy, course_id: OpaqueId,
                         principal: PageApprovers) -> RedirectResponse:
    async with runtime.uow() as uow:
        await catalogue.approve_course(uow, principal, course_id, policy=policy)
        await uow.commit()
    return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/ui/allocation", response_class=HTMLResponse)
async def allocation_preview(runtime: Runtime, pages: ServicePages, policy: Policy,
                             request: Request, principal: PageCoordinators) -> HTMLResponse:
    async with runtime.uow() as uow:
        outcome = await run_allocation(uow, today=runtime.clock.today(),
                                       priority=policy.priority, districts=policy.districts,
                                       dry_run=True)
        courses = await catalogue.visible_courses(uow, principal)
    return pages.render(request, "allocation.html", {
        "allocation": outcome.allocation, "ran": request.query_params.get("ran"),
        # Courses by their title: a coordinator knows "Integrationskurs Soltau", not c-3f2a.
        "course_names": {course.course_id: course.title for course in courses}},
        principal=principal)


@router.post("/ui/allocation")
async def allocation_run(runtime: Runtime, policy: Policy, _: PageCoordinators
                         ) -> RedirectResponse:
    async with runtime.uow() as uow:
        outcome = await allocate_now(uow, policy, runtime.clock.today())
        await uow.commit()
    return RedirectResponse(f"/ui/allocation?ran={len(outcome.placement_ids)}",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/ui/unmet-demand", response_class=HTMLResponse)
async def demand_page(runtime: Runtime, pages: ServicePages, policy: Policy, request: Request,
                      principal: PageCoordinators) -> HTMLResponse:
    async with runtime.uow() as uow:
        demand = await queries.demand(uow, runtime.settings.disclosure_minimum,
                                      today=runtime.clock.today(), priority=policy.priority,
                                      districts=policy.districts)
    return pages.render(request, "demand.html", {
        "demand": demand.unmet, "below_minimum": demand.below_minimum},
        principal=principal)


@router.get("/course-list", response_class=HTMLResponse)
async def course_list_page(runtime: Runtime, pages: ServicePages, policy: Policy,
                           request: Request, principal: PageCoordinators,
                           district: DistrictFilter = None,
                           level: LevelFilter = None
                           ) -> HTMLResponse:
    async with runtime.uow() as uow:
        entries = await queries.course_list(uow, districts=policy.districts,
                                            today=runtime.clock.today(),
                                            district=district, level=level)
    return pages.render(request, "course_list.html", {
        "entries": entries, "district": district or "", "level": level or "",
        "districts": sorted(policy.districts), "levels": list(GermanLevel)}, principal=principal)
