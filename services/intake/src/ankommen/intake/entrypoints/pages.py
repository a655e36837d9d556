"""The staff's intake form: the interview in the order it runs, the duplicate warning inline.

Server-rendered, no script: plain form fields work with the keyboard and on a tablet. The
form posts to the same use case as the API; a duplicate warning re-shows the filled form with
the likely existing cases and the two decisions as buttons.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from ankommen.intake.adapters.write_turns import WriteTurns
from ankommen.intake.domain.identity import FileNumberKind
from ankommen.intake.entrypoints.duplicate_review import duplicate_warning
from ankommen.intake.entrypoints.schemas import RegistrationRequest
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.register_arrival import (
    Decision,
    PossibleDuplicates,
    RegisterArrival,
    register_arrival,
)
from ankommen.shared.auth import Principal, Role
from ankommen.shared.errors import DomainError
from ankommen.shared.events.contracts.intake import (
    ChildcareAgeBand,
    Consent,
    CourseEntitlement,
    Gender,
    Goal,
    ObligingAuthority,
    ResidenceStatus,
    SchoolQualification,
)
from ankommen.shared.events.contracts.vocabulary import GermanLevel, TimeSlot
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.pages import PageAuth, Pages

CHOICES = {
    "gender": Gender, "residence_status": ResidenceStatus,
    "course_entitlement": CourseEntitlement, "obliged_by": ObligingAuthority,
    "german_level": GermanLevel, "school_qualification": SchoolQualification,
    "file_number_kind": FileNumberKind,
}
MULTIPLE = {"goals": Goal, "availability": TimeSlot, "childcare_age_bands": ChildcareAgeBand,
            "consents": Consent}
FLAGS = ("german_certified", "reads_latin_script", "literate_other_script",
         "vocational_qualification", "university_degree", "recognition_wanted",
         "own_transport", "can_attend_online", "shift_work", "employed", "interpreter_used")
SURVEY_TEXT = ("region_key", "schooling_years", "vocational_field", "university_field",
               "work_experience_years", "children_needing_care", "max_travel_minutes",
               "interview_language", *CHOICES.keys() - {"file_number_kind"})
IDENTITY_TEXT = ("family_name", "given_names", "birth_date", "birth_place", "birth_country",
                 "phone", "email")


def form_options() -> dict[str, Any]:
    """The option lists ``_survey_fields.html`` (and ``register.html``) read from the page's
    context; a page that includes the survey fields passes them along."""
    return {"choices": CHOICES, "multiple": MULTIPLE}


def _codes(text: str) -> list[str]:
    return [code.strip().lower() for code in text.split(",") if code.strip()]


def registration_body(form: dict[str, Any]) -> dict[str, Any]:
    """The API's registration body from the form's fields (empty fields left out)."""
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    person: dict[str, Any] = {name: text(name) for name in IDENTITY_TEXT if text(name)}
    person["nationalities"] = [code.upper() for code in _codes(text("nationalities"))]
    if any(text(name) for name in ("street", "postal_code", "city")):
        person["address"] = {name: text(name) for name in ("street", "postal_code", "city")}
    if text("file_number"):
        person["file_numbers"] = [{"kind": text("file_number_kind") or "other",
                                   "number": text("file_number")}]
    survey: dict[str, Any] = {name: text(name) for name in SURVEY_TEXT if text(name)}
    survey.update({name: name in form for name in FLAGS})
    survey.update({name: list(form.get(f"{name}[]", [])) for name in MULTIPLE})
    survey["first_languages"] = _codes(text("first_languages"))
    survey["other_languages"] = _codes(text("other_languages"))
    return {"identity": person, "survey": survey}


def form_field(location: tuple) -> str:
    """The form field an API validation error is about."""
    parts = [str(part) for part in location[1:]]
    if not parts:
        return "form"
    if parts[0] == "address" and len(parts) > 1:
        return parts[1]
    if parts[0] == "file_numbers":
        return "file_number"
    return parts[0]


def staff_decision(value: str) -> tuple[Decision | None, uuid.UUID | None]:
    """The button pressed under a duplicate warning: ``same_person:<case id>`` or
    ``different_person``; anything else is no decision."""
    decision, _, case_id = value.partition(":")
    try:
        return Decision(decision), uuid.UUID(case_id) if case_id else None
    except ValueError:
        return None, None


async def _form(request: Request) -> dict[str, Any]:
    data = await request.form()
    values: dict[str, Any] = {}
    for key in data:
        items = data.getlist(key)
        values[key] = items if key.endswith("[]") else items[-1]
    return values


def router(runtime: ServiceRuntime, protection: IdentityProtection, turns: WriteTurns,
           pages: Pages, page_auth: PageAuth) -> APIRouter:
    pages_router = APIRouter(include_in_schema=False)
    Staff = Annotated[Principal, page_auth.require(Role.INTAKE_STAFF)]

    def show(request: Request, actor: Principal, form: dict[str, Any], *,
             errors: dict[str, str] | None = None, candidates: list | None = None,
             status_code: int = 200) -> HTMLResponse:
        return pages.render(request, "register.html", {
            "form": form, "errors": errors or {}, "candidates": candidates or [],
            **form_options()}, principal=actor,
            status_code=status_code)

    @pages_router.get("/", response_class=HTMLResponse)
    async def blank_form(request: Request, actor: Staff) -> HTMLResponse:
        return show(request, actor, {"reads_latin_script": "on", "availability[]": [],
                                     "german_level": "A0"})

    @pages_router.post("/", response_class=HTMLResponse)
    async def submit(request: Request, actor: Staff) -> HTMLResponse:
        form = await _form(request)
        try:
            body = RegistrationRequest.model_validate(
                registration_body(form), context={"today": runtime.clock.today()})
        except ValidationError as invalid:
            errors = form_errors(invalid.errors(), pages.translator(request), form_field)
            return show(request, actor, form, errors=errors, status_code=422)
        decision, existing = staff_decision(str(form.get("decision") or ""))
        try:
            async with turns.turn() as turn, runtime.uow() as uow:
                registered = await register_arrival(uow, protection, RegisterArrival(
                    identity=body.identity, answers=body.survey.model_dump(),
                    registered_on=runtime.clock.today(), decision=decision,
                    existing_case_id=existing), actor, turn)
        except PossibleDuplicates as duplicates:
            return show(request, actor, form, candidates=await duplicate_warning(
                runtime, protection, actor, duplicates.candidates), status_code=409)
        except DomainError as error:
            return show(request, actor, form, errors={error.field or "form": error.detail},
                        status_code=error.status)
        return pages.render(request, "registered.html", {
            "case": registered.case, "created": registered.created}, principal=actor)

    return pages_router
