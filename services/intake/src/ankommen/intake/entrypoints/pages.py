"""The staff's intake form: the interview in the order it runs, the duplicate warning inline.

Server-rendered, no script: plain form fields work with the keyboard and on a tablet. The
form posts to the same use case as the API; a duplicate warning re-shows the filled form with
the likely existing cases and the two decisions as buttons.

What the clerk did not answer stays unanswered: selects start on "bitte wählen" (which is no
answer), the one required yes/no question is a radio pair with neither chosen, and the server
refuses a survey whose required answers are missing instead of filling them in. Countries,
languages and the municipality are typed as names (German or English) and resolved here to
the codes the API stores; a name that resolves to nothing, or to several codes, is refused
with the closest names. The browser's own validation is off (``novalidate``): its bubbles
speak the browser's language and vanish, the server's refusals stay on the page in the page's
language.
"""

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from ankommen.intake.domain.identity import FileNumberKind
from ankommen.intake.entrypoints.dependencies import (
    Context,
    Runtime,
    SignIn,
    StaffOnPage,
    WebContext,
)
from ankommen.intake.entrypoints.duplicate_review import ReviewedCandidate, duplicate_warning
from ankommen.intake.entrypoints.schemas import RegistrationRequest
from ankommen.intake.service.register_arrival import (
    Decision,
    PossibleDuplicates,
    RegisterArrival,
    register_arrival,
)
from ankommen.shared.errors import DomainError, NotFound
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
from ankommen.shared.identity.auth import Principal
from ankommen.shared.reference import (
    ARRIVAL_LANGUAGES,
    Lang,
    ReferenceList,
    Resolution,
    TooManyValues,
    countries,
    languages,
    nationalities,
)
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.i18n import Translator
from ankommen.shared.web.pages import PageAuth

CHOICES = {
    "gender": Gender, "residence_status": ResidenceStatus,
    "course_entitlement": CourseEntitlement, "obliged_by": ObligingAuthority,
    "german_level": GermanLevel, "school_qualification": SchoolQualification,
    "file_number_kind": FileNumberKind,
}
MULTIPLE = {"goals": Goal, "availability": TimeSlot, "childcare_age_bands": ChildcareAgeBand,
            "consents": Consent}
#: Yes/no questions the survey requires an answer to: a radio pair, neither chosen at first.
YES_NO = ("reads_latin_script",)
#: Optional yes-statements: a checkbox; unticked is the contract's default ("not stated / no").
FLAGS = ("german_certified", "literate_other_script",
         "vocational_qualification", "university_degree", "recognition_wanted",
         "own_transport", "can_attend_online", "shift_work", "employed", "interpreter_used")
SURVEY_TEXT = ("schooling_years", "vocational_field", "university_field",
               "work_experience_years", "children_needing_care", "max_travel_minutes",
               *YES_NO, *CHOICES.keys() - {"file_number_kind"})
IDENTITY_TEXT = ("family_name", "given_names", "birth_date", "birth_place", "phone", "email")
#: Pickers: field -> (which list, several values in one field).
PICKERS: dict[str, tuple[str, bool]] = {
    "birth_country": ("countries", False), "nationalities": ("nationalities", True),
    "region_key": ("municipalities", False), "first_languages": ("languages", True),
    "other_languages": ("languages", True), "interview_language": ("languages", False)}
#: The fields in the order the form shows them (the error summary follows it).
FIELD_ORDER = (
    "family_name", "given_names", "birth_date", "gender", "birth_place", "birth_country",
    "nationalities", "phone", "email", "street", "postal_code", "city", "file_number_kind",
    "file_number", "region_key", "residence_status", "course_entitlement", "obliged_by",
    "first_languages", "other_languages", "german_level", "reads_latin_script",
    "german_certified", "literate_other_script", "schooling_years", "school_qualification",
    "vocational_field", "university_field", "vocational_qualification", "university_degree",
    "recognition_wanted", "work_experience_years", "employed", "shift_work",
    "children_needing_care", "childcare_age_bands", "max_travel_minutes", "availability",
    "own_transport", "can_attend_online", "goals", "interview_language", "interpreter_used",
    "consents")
#: How many language options a datalist offers: the common arrival languages, which the list
#: shows first (it is ~7,000 long; every other language is still found by its typed name).
DATALIST_LANGUAGES = len(ARRIVAL_LANGUAGES)

#: Refusals of the use case, by the field they name and their kind: the page's text for each
#: (their ``detail`` is English for API clients and never shown on a page).
DOMAIN_REFUSALS: dict[tuple[str | None, type[DomainError]], tuple[str, str]] = {
    ("identity.birth_date", DomainError): ("birth_date", "refusal.birth_date_after_intake"),
    ("resolution.case_id", DomainError): ("form", "refusal.case_not_chosen"),
    ("resolution.case_id", NotFound): ("form", "refusal.case_not_found"),
}


@dataclass(frozen=True)
class FormLists:
    """The reference lists behind the form's pickers (:mod:`ankommen.shared.reference`).

    The world's lists are built on first use, not when the service starts: the languages take
    about a second of CPU to build, which every intake process (and every test that starts
    one) would pay before its first request, most of them never showing a form."""

    municipalities: ReferenceList

    @classmethod
    def for_county(cls, municipalities: ReferenceList) -> "FormLists":
        return cls(municipalities)

    @property
    def countries(self) -> ReferenceList:
        return countries()

    @property
    def nationalities(self) -> ReferenceList:
        return nationalities()

    @property
    def languages(self) -> ReferenceList:
        return languages()

    def of(self, field: str) -> ReferenceList:
        return getattr(self, PICKERS[field][0])

    def datalists(self, lang: Lang) -> dict[str, Sequence[Any]]:
        """The ``<datalist>`` options per list: names to type, in display order."""
        return {"countries": self.countries.options(lang),
                "nationalities": self.nationalities.options(lang),
                "languages": self.languages.options(lang)[:DATALIST_LANGUAGES],
                "municipalities": self.municipalities.options(lang)}


def form_options(lists: FormLists, lang: Lang) -> dict[str, Any]:
    """The option lists ``_survey_fields.html`` (and ``register.html``) read from the page's
    context; a page that includes the survey fields passes them along."""
    return {"choices": CHOICES, "multiple": MULTIPLE, "datalists": lists.datalists(lang),
            "pickers": {name: list_name for name, (list_name, _) in PICKERS.items()}}


def survey_form_values(answers: dict[str, Any], lists: FormLists, lang: Lang
                       ) -> dict[str, Any]:
    """A stored survey (its JSON form, codes) as the form's values (names): for a page that
    shows the survey fields filled in, e.g. a correction."""
    values: dict[str, Any] = {}
    for name, value in answers.items():
        if name in PICKERS:
            # A stored survey's JSON: a picker's answer is one code or a list of codes.
            codes = cast("list[str]", value) if isinstance(value, list) else [value]
            values[name] = ", ".join(lists.of(name).label(code, lang) for code in codes
                                     if code)
        elif name in MULTIPLE:
            values[f"{name}[]"] = list(value)
        elif name in YES_NO:
            values[name] = "yes" if value else "no"
        elif name in FLAGS:
            if value:
                values[name] = "on"
        elif value is not None:
            values[name] = str(value)
    return values


def _quoted(text: str) -> str:
    """A typed text to quote in a refusal: at most 40 characters, control and format
    characters (a right-to-left override would turn the sentence around) shown as U+FFFD."""
    shown = "".join("\ufffd" if unicodedata.category(char) in ("Cc", "Cf") else char
                    for char in text[:40])
    return shown if len(text) <= 40 else f"{shown}…"


def picker_problem(resolution: Resolution, t: Translator) -> str | None:
    """Why a typed name was not taken, with the names it may have meant; None if taken."""
    if resolution.resolved or resolution.empty:
        return None
    if resolution.ambiguous:
        return t("picker.ambiguous", text=_quoted(resolution.text),
                 names=", ".join(option.name for option in resolution.candidates))
    if resolution.suggestions:
        return t("picker.unknown_suggest", text=_quoted(resolution.text),
                 names=", ".join(option.name for option in resolution.suggestions))
    return t("picker.unknown", text=_quoted(resolution.text))


def _picked(form: dict[str, Any], lists: FormLists, t: Translator
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """The pickers' typed names as codes (field -> code or codes) and the refusals."""
    lang: Lang = "en" if t.language == "en" else "de"
    codes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, (_, several) in PICKERS.items():
        text = str(form.get(name) or "").strip()
        reference = lists.of(name)
        if not several:
            resolution = reference.resolve(text, lang)
            if resolution.code is not None:
                codes[name] = resolution.code
            elif (problem := picker_problem(resolution, t)) is not None:
                problems[name] = problem
            continue
        try:
            resolutions = reference.resolve_many(text, lang)
        except TooManyValues:
            problems[name] = t("picker.too_many")
            continue
        codes[name] = [resolution.code for resolution in resolutions if resolution.code]
        for resolution in resolutions:
            if (problem := picker_problem(resolution, t)) is not None:
                problems[name] = problem
                break
    return codes, problems


def registration_body(form: dict[str, Any], lists: FormLists, t: Translator
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's registration body from the form's fields (empty fields left out, names
    resolved to codes), and the pickers' refusals by field.

    Nothing is filled in that the clerk did not answer: a missing required answer stays
    missing, so that validation refuses it.
    """
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    codes, problems = _picked(form, lists, t)
    person: dict[str, Any] = {name: text(name) for name in IDENTITY_TEXT if text(name)}
    person["nationalities"] = codes.get("nationalities", [])
    if "birth_country" in codes:
        person["birth_country"] = codes["birth_country"]
    if any(text(name) for name in ("street", "postal_code", "city")):
        person["address"] = {name: text(name) for name in ("street", "postal_code", "city")}
    if text("file_number"):
        file_number = {"number": text("file_number")}
        if text("file_number_kind"):
            file_number["kind"] = text("file_number_kind")
        person["file_numbers"] = [file_number]
    survey: dict[str, Any] = {name: text(name) for name in SURVEY_TEXT if text(name)}
    survey.update({name: name in form for name in FLAGS})
    survey.update({name: list(form.get(f"{name}[]", [])) for name in MULTIPLE})
    survey["first_languages"] = codes.get("first_languages", [])
    survey["other_languages"] = codes.get("other_languages", [])
    for name in ("region_key", "interview_language"):
        if name in codes:
            survey[name] = codes[name]
    return {"identity": person, "survey": survey}, problems


def survey_answers(form: dict[str, Any], lists: FormLists, t: Translator
                   ) -> tuple[dict[str, Any], dict[str, str]]:
    """The survey half of :func:`registration_body`: the answers of a form that shows only
    ``_survey_fields.html`` (a correction), and the pickers' refusals by field."""
    body, problems = registration_body(form, lists, t)
    return body["survey"], {field: reason for field, reason in problems.items()
                            if field not in ("birth_country", "nationalities")}


def read_registration(form: dict[str, Any], lists: FormLists, t: Translator, today: date
                      ) -> tuple[RegistrationRequest | None, dict[str, str]]:
    """The registration a submitted form asks for, or None and the refusals by field in
    ``t``'s language (a picker's refusal first: it says more than "missing")."""
    body, problems = registration_body(form, lists, t)
    try:
        registration = RegistrationRequest.model_validate(body, context={"today": today})
    except ValidationError as invalid:
        shown = form_errors(invalid.errors(), t, form_field)
        return None, {**problems, **{field: reason for field, reason in shown.items()
                                     if field not in problems}}
    return (None, problems) if problems else (registration, {})


def form_field(location: tuple[int | str, ...]) -> str:
    """The form field an API validation error is about."""
    parts = [str(part) for part in location[1:]]
    if not parts:
        return "form"
    if parts[0] == "address" and len(parts) > 1:
        return parts[1]
    if parts[0] == "file_numbers":
        return "file_number_kind" if parts[-1] == "kind" else "file_number"
    return parts[0]


def refusal_text(error: DomainError, t: Translator) -> tuple[str, str]:
    """A refusal of the use case as (form field, text in the page's language)."""
    for kind in type(error).__mro__:
        known = DOMAIN_REFUSALS.get((error.field, kind))
        if known is not None:
            field, key = known
            return field, t(key)
    if error.field and error.field.startswith(("identity.", "survey.")):
        return form_field(tuple(error.field.split("."))), t("error.invalid")
    return "form", t("refusal.other")


def anchor(field: str) -> str:
    """The id of the element an error summary entry links to (the first control of a
    group)."""
    if field in MULTIPLE:
        return f"{field}-{next(iter(MULTIPLE[field])).value}"
    if field in YES_NO:
        return f"{field}-yes"
    return field


def error_summary(errors: dict[str, str], t: Translator) -> list[dict[str, str | None]]:
    """The error summary's entries in the form's order: "Label: reason" linking to the
    field; a refusal of the whole form has no link."""
    order = {name: index for index, name in enumerate(FIELD_ORDER)}
    entries: list[dict[str, str | None]] = []
    for field in sorted(errors, key=lambda name: order.get(name, -1)):
        labelled = field in order
        entries.append({"label": t(f"field.{field}") if labelled else None,
                        "reason": errors[field], "href": f"#{anchor(field)}" if labelled
                        else None})
    return entries


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


async def _form_lists(runtime: Runtime) -> FormLists:
    # Cheap per request: the county's municipalities are built once (when the app starts).
    return FormLists.for_county(runtime.settings.municipalities())


#: The reference lists of the county the service runs for.
Lists = Annotated[FormLists, Depends(_form_lists)]

router = APIRouter(include_in_schema=False)


def install(page_auth: PageAuth) -> None:
    """A registration sent after the session ended is kept and shown again after sign-in."""
    page_auth.keep_forms_on("/")


def show(request: Request, actor: Principal, context: WebContext, lists: FormLists,
         form: dict[str, Any], *, errors: dict[str, str] | None = None,
         candidates: list[ReviewedCandidate] | None = None, status_code: int = 200,
         restored: bool = False) -> HTMLResponse:
    """The form, filled in with ``form``, its refusals or the duplicate warning."""
    t = context.pages.translator(request)
    lang: Lang = "en" if t.language == "en" else "de"
    return context.pages.render(request, "register.html", {
        "form": form, "errors": errors or {}, "candidates": candidates or [],
        "summary": error_summary(errors or {}, t), **form_options(lists, lang),
        "form_restored": restored}, principal=actor, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
async def blank_form(request: Request, actor: StaffOnPage, context: Context, lists: Lists,
                     sign_in: SignIn) -> HTMLResponse:
    # Filled in again (not sent: the clerk checks and sends it) if the clerk's session
    # ended while they were typing.
    kept = sign_in.kept_form(request)
    return show(request, actor, context, lists, kept or {}, restored=kept is not None)


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request, actor: StaffOnPage, runtime: Runtime, context: Context,
                 lists: Lists) -> HTMLResponse:
    form = await _form(request)
    t = context.pages.translator(request)
    request_body, errors = read_registration(form, lists, t, runtime.clock.today())
    if request_body is None:
        return show(request, actor, context, lists, form, errors=errors, status_code=422)
    decision, existing = staff_decision(str(form.get("decision") or ""))
    try:
        async with runtime.uow() as uow:
            registered = await register_arrival(uow, context.protection, RegisterArrival(
                identity=request_body.identity, answers=request_body.survey.model_dump(),
                registered_on=runtime.clock.today(), decision=decision,
                existing_case_id=existing), actor)
    except PossibleDuplicates as duplicates:
        return show(request, actor, context, lists, form, candidates=await duplicate_warning(
            runtime, context.protection, actor, duplicates.candidates), status_code=409)
    except DomainError as error:
        field, reason = refusal_text(error, t)
        return show(request, actor, context, lists, form, errors={field: reason},
                    status_code=error.status)
    return context.pages.render(request, "registered.html", {
        "case": registered.case, "created": registered.created}, principal=actor)
