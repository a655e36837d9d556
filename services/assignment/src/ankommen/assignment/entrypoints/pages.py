"""Coordinator pages: catalogue, allocation (preview with explanations, then run), waiting list,
unmet demand and the course list — server-rendered in the shared frame, no script needed.

No postponed annotations: FastAPI reads the page guard alias defined inside :func:`install`.
"""

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from ankommen.assignment.adapters.repository import WaitingListRepository
from ankommen.assignment.domain.courses import entry_deadline, shown_status
from ankommen.assignment.service import catalogue, queries
from ankommen.assignment.service.allocation import allocate_now, run_allocation
from ankommen.shared.auth import Principal, Role
from ankommen.shared.events.contracts.vocabulary import DistrictKey, GermanLevel, OpaqueId
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.web import Pages
from ankommen.shared.web.i18n import Catalogue

TEXTS: Catalogue = {
    "title": {"de": "Kursvermittlung", "en": "Course assignment"},
    "nav.catalogue": {"de": "Kurskatalog", "en": "Catalogue"},
    "nav.allocation": {"de": "Platzvergabe", "en": "Allocation"},
    "nav.waiting": {"de": "Warteliste", "en": "Waiting list"},
    "nav.demand": {"de": "Ungedeckter Bedarf", "en": "Unmet demand"},
    "nav.course_list": {"de": "Sprachkursliste", "en": "Course list"},
    "course": {"de": "Kurs", "en": "Course"},
    "provider": {"de": "Träger", "en": "Provider"},
    "type": {"de": "Kursart", "en": "Course type"},
    "levels": {"de": "Niveau", "en": "Levels"},
    "region": {"de": "Ort", "en": "Region"},
    "starts": {"de": "Beginn", "en": "Starts"},
    "status": {"de": "Status", "en": "Status"},
    "capacity": {"de": "Plätze", "en": "Seats"},
    "free": {"de": "Frei", "en": "Free"},
    "waiting": {"de": "Wartende", "en": "Waiting"},
    "district": {"de": "Kreis", "en": "District"},
    "level": {"de": "Niveau", "en": "Level"},
    "filter": {"de": "Filtern", "en": "Filter"},
    "csv": {"de": "Als CSV herunterladen", "en": "Download as CSV"},
    "preview": {"de": "Vorschau (noch nichts vergeben)",
                "en": "Preview (nothing allocated yet)"},
    "run": {"de": "Plätze jetzt vergeben", "en": "Allocate seats now"},
    "done": {"de": "Vergeben: {count} Plätze.", "en": "Allocated: {count} seats."},
    "person": {"de": "Pseudonym", "en": "Pseudonym"},
    "why": {"de": "Begründung", "en": "Explanation"},
    "reason": {"de": "Grund", "en": "Reason"},
    "since": {"de": "Wartet seit", "en": "Waiting since"},
    "count": {"de": "Anzahl", "en": "Count"},
    "childcare": {"de": "Kinderbetreuung", "en": "Childcare"},
    "schedule": {"de": "Zeiten", "en": "Times"},
    "hidden": {"de": "Kleinere Gruppen sind zum Schutz der Personen ausgeblendet.",
               "en": "Smaller groups are hidden to protect the people in them."},
    "none": {"de": "Keine Einträge.", "en": "Nothing here."},
    "below_minimum": {"de": "Kurse unter der Mindestteilnehmerzahl (starten noch nicht)",
                      "en": "Courses below their minimum (not starting yet)"},
    "minimum": {"de": "Mindestens", "en": "Minimum"},
    "held": {"de": "Vergeben", "en": "Placed"},
    "approval": {"de": "Freigabe", "en": "Approval"},
    "approval.draft": {"de": "wartet auf Freigabe", "en": "awaiting approval"},
    "approval.approved": {"de": "freigegeben", "en": "approved"},
    "approval.returned": {"de": "an den Träger zurückgegeben", "en": "returned to the provider"},
    "approve": {"de": "Freigeben", "en": "Approve"},
    "entry_until": {"de": "Nachrücken bis", "en": "Entry until"},
    "status.planned": {"de": "geplant", "en": "planned"},
    "status.open": {"de": "offen", "en": "open"},
    "status.running": {"de": "läuft", "en": "running"},
    "status.completed": {"de": "abgeschlossen", "en": "completed"},
    "status.cancelled": {"de": "abgesagt", "en": "cancelled"},
    "status.ended": {"de": "beendet", "en": "ended"},
}

NAVIGATION = [("/ui/courses", "nav.catalogue"), ("/ui/allocation", "nav.allocation"),
              ("/ui/waiting-list", "nav.waiting"), ("/ui/unmet-demand", "nav.demand"),
              ("/course-list", "nav.course_list")]


def install(app: FastAPI, runtime: ServiceRuntime) -> None:
    pages = Pages("ankommen.assignment", TEXTS, service_title="Kursvermittlung",
                  navigation=NAVIGATION)
    auth = runtime.page_auth(pages)
    auth.install(app)
    Coordinator = Annotated[Principal, auth.require(Role.COORDINATOR, Role.ADMIN)]
    Approver = Annotated[Principal, auth.require(*catalogue.APPROVERS)]
    priority = runtime.settings.priority
    districts = runtime.settings.districts
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/ui/courses", response_class=HTMLResponse)
    async def courses_page(request: Request, principal: Coordinator) -> HTMLResponse:
        async with runtime.uow() as uow:
            courses = await catalogue.visible_courses(uow, principal)
        today = runtime.clock.today()
        return pages.render(request, "courses.html", {
            "courses": [(course, shown_status(course, today), entry_deadline(course))
                        for course in courses],
            "may_approve": principal.role in catalogue.APPROVERS},
            principal=principal)

    @router.post("/ui/courses/{course_id}/approve")
    async def approve_course(course_id: OpaqueId, principal: Approver) -> RedirectResponse:
        async with runtime.uow() as uow:
            await catalogue.approve_course(uow, principal, course_id,
                                           policy=runtime.settings.allocation_policy)
        return RedirectResponse("/ui/courses", status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/ui/allocation", response_class=HTMLResponse)
    async def allocation_preview(request: Request, principal: Coordinator) -> HTMLResponse:
        async with runtime.uow() as uow:
            outcome = await run_allocation(uow, today=runtime.clock.today(), priority=priority,
                                           districts=districts, dry_run=True)
        return pages.render(request, "allocation.html", {
            "allocation": outcome.allocation, "ran": request.query_params.get("ran")},
            principal=principal)

    @router.post("/ui/allocation")
    async def allocation_run(_: Coordinator) -> RedirectResponse:
        async with runtime.uow() as uow:
            outcome = await allocate_now(uow, runtime.settings.allocation_policy,
                                         runtime.clock.today())
        return RedirectResponse(f"/ui/allocation?ran={len(outcome.placement_ids)}",
                                status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/ui/waiting-list", response_class=HTMLResponse)
    async def waiting_page(request: Request, principal: Coordinator) -> HTMLResponse:
        async with runtime.uow() as uow:
            people = await WaitingListRepository(uow.session).all()
        return pages.render(request, "waiting.html", {"people": people}, principal=principal)

    @router.get("/ui/unmet-demand", response_class=HTMLResponse)
    async def demand_page(request: Request, principal: Coordinator) -> HTMLResponse:
        async with runtime.uow() as uow:
            demand = await queries.demand(uow, runtime.settings.disclosure_minimum,
                                          today=runtime.clock.today(), priority=priority,
                                          districts=districts)
        return pages.render(request, "demand.html", {
            "demand": demand.unmet, "below_minimum": demand.below_minimum},
            principal=principal)

    @router.get("/course-list", response_class=HTMLResponse)
    async def course_list_page(request: Request, principal: Coordinator,
                               district: Annotated[DistrictKey | None, Query()] = None,
                               level: Annotated[GermanLevel | None, Query()] = None
                               ) -> HTMLResponse:
        async with runtime.uow() as uow:
            entries = await queries.course_list(uow, districts=districts,
                                                today=runtime.clock.today(),
                                                district=district, level=level)
        return pages.render(request, "course_list.html", {
            "entries": entries, "district": district or "", "level": level or "",
            "levels": list(GermanLevel)}, principal=principal)

    app.include_router(router)
