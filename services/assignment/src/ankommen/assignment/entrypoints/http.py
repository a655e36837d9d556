"""Assignment's HTTP API: the catalogue (coordinators: every course; providers: their own),
allocation runs with explanations, placements, the waiting list, unmet demand and the course
list as CSV.

The routes are defined at module level; what they need of the running service comes through
typed dependencies (:mod:`ankommen.assignment.entrypoints.dependencies`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ankommen.assignment.domain.placement import PlacementRecord
from ankommen.assignment.entrypoints.dependencies import (
    Approvers,
    CatalogueUsers,
    Policy,
    RegionNames,
    Runtime,
    Staff,
)
from ankommen.assignment.service import catalogue, placements, queries
from ankommen.assignment.service.allocation import allocate_now, run_allocation
from ankommen.assignment.service.course_actions import postpone_course
from ankommen.assignment.service.manual_placement import ManualPlacementRequest, place_by_hand
from ankommen.shared.errors import DomainError
from ankommen.shared.events.contracts.assignment import Course, CourseApproval
from ankommen.shared.events.contracts.vocabulary import OpaqueId
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.spreadsheet import csv_text
from ankommen.shared.web.i18n import FRAME_PACKAGE, Translator, catalogue_of
from ankommen.shared.web.query import DistrictFilter, LevelFilter
from ankommen.shared.web.words import Words


class ReturnRequest(BaseModel):
    """Why a coordinator sends a course back: the provider reads it."""

    reason: str = Field(min_length=1, max_length=500)


class PostponeRequest(BaseModel):
    """The course's new start; its end and late-entry deadline move by as many days."""

    starts_on: date


class CourseReviewOut(BaseModel):
    decision: CourseApproval
    actor: str
    role: str
    at: datetime
    note: str | None


class WaitingEntry(BaseModel):
    pseudonym: str
    waiting_since: date
    reason: str | None
    wanted_course_type: str | None


class WaitingListSummary(BaseModel):
    count: int
    people: list[WaitingEntry]


class AllocationRequest(BaseModel):
    dry_run: bool = True


class ProposedPlacementOut(BaseModel):
    pseudonym: str
    course_id: str
    placement_id: str | None
    explanation: dict[str, object]


class WaitingOut(BaseModel):
    pseudonym: str
    reason: str
    failed_rules: list[str]


class AllocationResult(BaseModel):
    dry_run: bool
    placements: list[ProposedPlacementOut]
    waiting: list[WaitingOut]
    #: Courses not started by this run: they would stay below their minimum participants.
    below_minimum: list[str]


class PlacementOut(BaseModel):
    placement_id: str
    referral_code: str
    course_id: str
    provider_id: str
    status: str
    offered_on: date
    #: The last day the provider may confirm the offer; after it the offer expires.
    expires_on: date | None
    #: Left out for providers: towards them a placement is its referral code.
    pseudonym: str | None
    explanation: dict[str, object]


class DemandGroupOut(BaseModel):
    district: str
    level: str
    course_type: str
    childcare: str
    schedule: str
    count: int


class CourseBelowMinimumOut(BaseModel):
    course_id: str
    title: str
    minimum_participants: int
    held: int
    waiting: int


class UnmetDemandOut(BaseModel):
    groups: list[DemandGroupOut]
    hidden: bool
    #: Courses that would serve waiting people once they reach their minimum.
    below_minimum: list[CourseBelowMinimumOut]


CSV_COLUMNS = ["course_id", "provider_id", "title", "course_type", "entry_level",
               "target_level", "region_key", "mode", "schedule", "starts_on", "ends_on",
               "status", "capacity", "free_seats", "waiting"]
#: The course list is read by people (the county's *Sprachkursliste*) and by programs: after
#: the code columns, the same values as words, in German unless ``?lang=en``.
CSV_WORD_COLUMNS = ["provider_name", "course_type_name", "region_name", "mode_name",
                    "schedule_name", "status_name"]


def _placement(record: PlacementRecord, principal: Principal) -> PlacementOut:
    return PlacementOut(placement_id=record.placement_id, referral_code=record.referral_code,
                        course_id=record.course_id, provider_id=record.provider_id,
                        status=record.status.value, offered_on=record.offered_on,
                        expires_on=record.expires_on,
                        pseudonym=None if principal.role is Role.PROVIDER else record.pseudonym,
                        explanation=record.explanation)


def course_list_csv(entries: list[queries.CourseListEntry], words: Words) -> str:
    """The course list as CSV, codes and words; titles and names are typed by people, so
    cells are neutralised."""
    return csv_text([CSV_COLUMNS + CSV_WORD_COLUMNS, *(
        [entry.course.course_id, entry.course.provider_id, entry.course.title,
         entry.course.course_type, entry.course.entry_level, entry.course.target_level,
         entry.course.region_key, entry.course.mode, "+".join(entry.course.schedule),
         entry.course.starts_on, entry.course.ends_on, entry.course.status,
         entry.course.capacity, entry.free_seats, entry.waiting,
         words.provider(entry.course.provider_id, entry.course.provider_name),
         words.option("course_type", entry.course.course_type),
         words.region(entry.course.region_key), words.option("course_mode", entry.course.mode),
         words.options("availability", entry.course.schedule),
         words.option("course_status", entry.course.status)] for entry in entries)])


#: A referral code as typed (any case, hyphens optional); checked in the use case.
ReferralPath = Annotated[str, Path(min_length=1, max_length=40)]


#: The texts of the course list's word columns.
TEXTS = catalogue_of(FRAME_PACKAGE, "ankommen.assignment")

router = APIRouter()


@router.get("/waiting-list", response_model=WaitingListSummary, tags=["waiting list"],
            summary="Who is waiting, since when and why")
async def waiting_list(runtime: Runtime, _: Staff) -> WaitingListSummary:
    async with runtime.uow() as uow:
        people = await uow.waiting_people.all()
    return WaitingListSummary(count=len(people), people=[WaitingEntry(
        pseudonym=p.pseudonym, waiting_since=p.waiting_since, reason=p.reason,
        wanted_course_type=p.wanted_course_type) for p in people])


@router.get("/courses", response_model=list[Course], tags=["catalogue"],
            summary="The catalogue: every course, or a provider's own")
async def list_courses(runtime: Runtime, principal: CatalogueUsers) -> list[Course]:
    async with runtime.uow() as uow:
        return await catalogue.visible_courses(uow, principal)


@router.post("/courses", response_model=Course, status_code=status.HTTP_201_CREATED,
             tags=["catalogue"], summary="Publish a course (and allocate its seats)")
async def publish_course(runtime: Runtime, policy: Policy, course: Course,
                         principal: CatalogueUsers) -> Course:
    async with runtime.uow() as uow:
        published = await catalogue.publish_course(uow, principal, course, policy=policy)
        await uow.commit()
    return published


@router.get("/courses/{course_id}", response_model=Course, tags=["catalogue"])
async def get_course(runtime: Runtime, course_id: OpaqueId,
                     principal: CatalogueUsers) -> Course:
    async with runtime.uow() as uow:
        return await catalogue.course_for(uow, principal, course_id)


@router.put("/courses/{course_id}", response_model=Course, tags=["catalogue"],
            summary="Change a course: the full new state")
async def update_course(runtime: Runtime, policy: Policy, course_id: OpaqueId, course: Course,
                        principal: CatalogueUsers) -> Course:
    if course.course_id != course_id:
        raise DomainError("course_id: differs from the path", field="course_id")
    async with runtime.uow() as uow:
        updated = await catalogue.update_course(uow, principal, course, policy=policy)
        await uow.commit()
    return updated


@router.post("/courses/{course_id}/cancel", response_model=Course, tags=["catalogue"],
             summary="Cancel a course; its people go back to the waiting list")
async def cancel_course(runtime: Runtime, policy: Policy, course_id: OpaqueId,
                        principal: CatalogueUsers) -> Course:
    async with runtime.uow() as uow:
        cancelled = await catalogue.cancel_course(uow, principal, course_id, policy=policy)
        await uow.commit()
    return cancelled


@router.post("/courses/{course_id}/approve", response_model=Course, tags=["catalogue"],
             summary="Approve a course (coordinators): it takes placements from now on")
async def approve_course(runtime: Runtime, policy: Policy, course_id: OpaqueId,
                         principal: Approvers) -> Course:
    async with runtime.uow() as uow:
        approved = await catalogue.approve_course(uow, principal, course_id, policy=policy)
        await uow.commit()
    return approved


@router.post("/courses/{course_id}/return", response_model=Course, tags=["catalogue"],
             summary="Send a course back to its provider with a reason (coordinators): "
                     "no new placements until it is changed and approved")
async def return_course(runtime: Runtime, policy: Policy, course_id: OpaqueId,
                        request: ReturnRequest, principal: Approvers) -> Course:
    async with runtime.uow() as uow:
        returned = await catalogue.return_course(uow, principal, course_id, request.reason,
                                                 policy=policy)
        await uow.commit()
    return returned


@router.post("/courses/{course_id}/postpone", response_model=Course, tags=["catalogue"],
             summary="Postpone a course that has not started (coordinators): its offered "
                     "and confirmed placements are withdrawn and reallocated")
async def postpone(runtime: Runtime, policy: Policy, course_id: OpaqueId,
                   request: PostponeRequest, principal: Approvers) -> Course:
    async with runtime.uow() as uow:
        postponed = await postpone_course(uow, principal, course_id, request.starts_on,
                                          policy=policy)
        await uow.commit()
    return postponed


@router.post("/placements/manual", response_model=PlacementOut,
             status_code=status.HTTP_201_CREATED, tags=["placements"],
             summary="Place a waiting person by hand with a reason (coordinators): rules of "
                     "the allocation may be overridden, free seats never; audited")
async def place_manually(runtime: Runtime, policy: Policy, request: ManualPlacementRequest,
                         principal: Approvers
                         ) -> PlacementOut:
    async with runtime.uow() as uow:
        record = await place_by_hand(uow, principal, request, policy=policy)
        await uow.commit()
    return _placement(record, principal)


@router.get("/courses/{course_id}/reviews", response_model=list[CourseReviewOut],
            tags=["catalogue"],
            summary="Who approved or returned the course, when and why (oldest first)")
async def course_reviews(runtime: Runtime, course_id: OpaqueId, principal: CatalogueUsers
                         ) -> list[CourseReviewOut]:
    async with runtime.uow() as uow:
        reviews = await catalogue.reviews_of(uow, principal, course_id)
    return [CourseReviewOut(decision=review.decision, actor=review.actor, role=review.role,
                            at=review.at, note=review.note) for review in reviews]


@router.post("/allocations", response_model=AllocationResult, tags=["allocation"],
             summary="Allocate free seats to waiting people (a dry run only previews)")
async def allocate(runtime: Runtime, policy: Policy, request: AllocationRequest,
                   _: Staff) -> AllocationResult:
    async with runtime.uow() as uow:
        if request.dry_run:
            outcome = await run_allocation(uow, today=runtime.clock.today(),
                                           priority=policy.priority, districts=policy.districts,
                                           dry_run=True)
        else:
            outcome = await allocate_now(uow, policy, runtime.clock.today())
            await uow.commit()
    result = outcome.allocation
    return AllocationResult(dry_run=request.dry_run, placements=[ProposedPlacementOut(
        pseudonym=p.pseudonym, course_id=p.course_id,
        placement_id=outcome.placement_ids.get(p.pseudonym),
        explanation=p.explanation()) for p in result.placements],
        waiting=[WaitingOut(pseudonym=w.pseudonym, reason=w.reason.value,
                            failed_rules=w.detail) for w in result.waiting],
        below_minimum=sorted(result.below_minimum))


@router.get("/placements/{placement_id}", response_model=PlacementOut, tags=["placements"],
            summary="A placement with its explanation")
async def get_placement(runtime: Runtime, placement_id: OpaqueId,
                        principal: CatalogueUsers) -> PlacementOut:
    async with runtime.uow() as uow:
        return _placement(await placements.placement_for(uow, principal, placement_id),
                          principal)


@router.post("/placements/{placement_id}/confirm", response_model=PlacementOut,
             tags=["placements"])
async def confirm(runtime: Runtime, placement_id: OpaqueId,
                  principal: CatalogueUsers) -> PlacementOut:
    async with runtime.uow() as uow:
        record = await placements.confirm_placement(uow, principal, placement_id)
        await uow.commit()
    return _placement(record, principal)


@router.post("/placements/{placement_id}/decline", response_model=PlacementOut,
             tags=["placements"], summary="Declined: the seat is reallocated at once")
async def decline(runtime: Runtime, policy: Policy, placement_id: OpaqueId,
                  principal: Staff) -> PlacementOut:
    async with runtime.uow() as uow:
        record = await placements.decline_placement(uow, principal, placement_id,
                                                    policy=policy)
        await uow.commit()
    return _placement(record, principal)


@router.get("/referrals/{referral_code}", response_model=PlacementOut, tags=["placements"],
            summary="A placement by its referral code (providers: only their own)")
async def get_referral(runtime: Runtime, referral_code: ReferralPath,
                       principal: CatalogueUsers
                       ) -> PlacementOut:
    async with runtime.uow() as uow:
        return _placement(await placements.placement_by_referral_code(
            uow, principal, referral_code), principal)


@router.post("/referrals/{referral_code}/confirm", response_model=PlacementOut,
             tags=["placements"],
             summary="The person took up the seat: confirmed by its referral code")
async def confirm_referral(runtime: Runtime, referral_code: ReferralPath,
                           principal: CatalogueUsers
                           ) -> PlacementOut:
    async with runtime.uow() as uow:
        record = await placements.placement_by_referral_code(uow, principal, referral_code)
        record = await placements.confirm_placement(uow, principal, record.placement_id)
        await uow.commit()
    return _placement(record, principal)


@router.post("/referrals/{referral_code}/decline", response_model=PlacementOut,
             tags=["placements"],
             summary="The person turned the seat down: the seat is reallocated at once")
async def decline_referral(runtime: Runtime, policy: Policy, referral_code: ReferralPath,
                           principal: CatalogueUsers
                           ) -> PlacementOut:
    async with runtime.uow() as uow:
        record = await placements.placement_by_referral_code(uow, principal, referral_code)
        record = await placements.decline_placement(uow, principal, record.placement_id,
                                                    policy=policy)
        await uow.commit()
    return _placement(record, principal)


@router.get("/course-list.csv", tags=["course list"],
            summary="The course list (Sprachkursliste) as CSV",
            response_class=Response)
async def course_list(runtime: Runtime, places: RegionNames, policy: Policy, _: Staff,
                      district: DistrictFilter = None,
                      level: LevelFilter = None,
                      lang: Annotated[Literal["de", "en"], Query(
                          description="Language of the word columns")] = "de"
                      ) -> Response:
    async with runtime.uow() as uow:
        entries = await queries.course_list(uow, districts=policy.districts,
                                            today=runtime.clock.today(),
                                            district=district, level=level)
    return Response(course_list_csv(entries, Words(Translator(TEXTS, lang), places)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="kursliste.csv"'})


@router.get("/unmet-demand", response_model=UnmetDemandOut, tags=["waiting list"],
            summary="People no course can serve, in groups of at least the disclosure minimum")
async def unmet_demand(runtime: Runtime, policy: Policy, _: Staff) -> UnmetDemandOut:
    async with runtime.uow() as uow:
        result = await queries.demand(uow, runtime.settings.disclosure_minimum,
                                      today=runtime.clock.today(), priority=policy.priority,
                                      districts=policy.districts)
    return UnmetDemandOut(
        groups=[DemandGroupOut(**vars(g)) for g in result.unmet.groups],
        hidden=result.unmet.hidden,
        below_minimum=[CourseBelowMinimumOut(
            course_id=c.course.course_id, title=c.course.title,
            minimum_participants=c.course.minimum_participants, held=c.held,
            waiting=c.waiting) for c in result.below_minimum])
