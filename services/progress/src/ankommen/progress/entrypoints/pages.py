"""Provider pages: own participants by referral code (with the names intake disclosed for
those who consented), a report form per participant (lists: ``upload_pages``). The same
use cases as the API; the provider comes from the signed-in token, never from the
form."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from ankommen.progress.adapters.csv_rows import to_report
from ankommen.progress.config import ProgressRuntime
from ankommen.progress.entrypoints.dependencies import ProviderPage, ProviderSite, Runtime, Site
from ankommen.progress.entrypoints.problem_words import reason_text
from ankommen.progress.entrypoints.refused_pages import provider_of
from ankommen.progress.service import views
from ankommen.progress.service.reporting import (
    Channel,
    Outcome,
    Verdict,
    keep_unparsed,
    parse_report,
    rejected,
    submit_reports,
)
from ankommen.shared.events.contracts.progress import (
    DiscontinuationReason,
    ExamType,
    InterruptionReason,
    Report,
    ReportKind,
)
from ankommen.shared.events.contracts.vocabulary import GermanLevel
from ankommen.shared.identity.auth import Principal
from ankommen.shared.web.words import Words

REFERRAL_CODE = Path(pattern=r"^[A-Z0-9-]{6,20}$")
FORM_FIELDS = ("date", "period_start", "period_end", "hours_attended", "hours_planned",
               "reason", "exam", "passed", "level_reached", "corrects_report_id")
#: The form's choices as (value, vocabulary enum) pairs: the value is sent, the word shown.
CHOICES = {
    "kind": [(kind.value, "report_kind") for kind in ReportKind],
    # One field for both kinds of reason: each value with the word of the kind that has it.
    "reason": [(reason, "discontinuation_reason" if reason in set(DiscontinuationReason)
                else "interruption_reason")
               for reason in sorted({*InterruptionReason, *DiscontinuationReason})],
    "exam": [(exam.value, "exam_type") for exam in ExamType],
    "level_reached": [(level.value, "german_level") for level in GermanLevel],
}
#: A report's own fields, shown apart from its id, code and kind.
HIDDEN_FIELDS = frozenset({"report_id", "referral_code", "kind"})


def report_details(report: Report, words: Words) -> list[tuple[str, str]]:
    """A stored report's fields as (label, value) in the reader's language: reasons, exams
    and levels as words, not as the codes the report carries."""
    t = words.t
    shown: list[tuple[str, str]] = []
    for name, value in report.model_dump(mode="json").items():
        if name in HIDDEN_FIELDS or value in (None, {}):
            continue
        if name == "reason":
            text = words.option(f"{getattr(report, 'kind', '')}_reason", value)
        elif name == "exam":
            text = words.option("exam_type", value)
        elif name == "level_reached":
            text = words.option("german_level", value)
        elif name == "passed":
            text = t("form.yes") if value else t("form.no")
        elif name == "skills":
            text = t("vocabulary.list_separator").join(
                f"{words.option('skill', skill)} {words.option('german_level', level)}"
                for skill, level in value.items())
        else:
            text = str(value)
        shown.append((t(f"field.{name}"), text))
    return shown


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def participants_page(request: Request, principal: ProviderPage, runtime: Runtime,
                            site: Site) -> HTMLResponse:
    async with runtime.uow() as uow:
        found = await views.participants(uow, provider_of(principal))
    token = site.page_auth.relay_token(request)
    contacts = (await site.intake.contacts(token, [item.referral_code for item in found])
                if found and token else None)
    return site.pages.render(request, "participants.html", {
        "participants": found, "contacts": contacts or {},
        # Each course once, for its roster link; the offers are answered in assignment.
        "courses": sorted({(item.course_id, item.course_title) for item in found},
                          key=lambda course: (course[1], course[0])),
        "referrals_url": f"{str(runtime.settings.assignment_public_url).rstrip('/')}"
                         "/ui/referrals",
        "names_unavailable": bool(found) and contacts is None}, principal=principal)


async def participant_page(request: Request, principal: Principal, runtime: ProgressRuntime,
                           site: ProviderSite, referral_code: str,
                           outcome: Outcome | None = None, status_code: int = 200
                           ) -> HTMLResponse:
    async with runtime.uow() as uow:
        found = await views.history(uow, provider_of(principal), referral_code)
    # As on the list: asked of intake with the provider's own token, audited there,
    # shown and forgotten (progress stores no name).
    token = site.page_auth.relay_token(request)
    contacts = (await site.intake.contacts(token, [found.participant.referral_code])
                if token else None)
    return site.pages.render(request, "participant.html", {
        "history": found, "choices": CHOICES, "outcome": outcome,
        "report_details": report_details, "reason_text": reason_text,
        "contact": (contacts or {}).get(found.participant.referral_code),
        "names_unavailable": contacts is None,
        "new_report_id": "web-" + secrets.token_hex(8)}, principal=principal,
        status_code=status_code)


@router.get("/participants/{referral_code}", response_class=HTMLResponse)
async def show_participant(request: Request, referral_code: Annotated[str, REFERRAL_CODE],
                           principal: ProviderPage, runtime: Runtime, site: Site
                           ) -> HTMLResponse:
    return await participant_page(request, principal, runtime, site, referral_code)


@router.post("/participants/{referral_code}", response_class=HTMLResponse)
async def report_by_form(request: Request, referral_code: Annotated[str, REFERRAL_CODE],
                         kind: Annotated[str, Form(max_length=40)],
                         report_id: Annotated[str, Form(max_length=64)],
                         principal: ProviderPage, runtime: Runtime, site: Site
                         ) -> HTMLResponse:
    form = await request.form()
    cells = {name: str(form[name]).strip() for name in FORM_FIELDS
             if isinstance(form.get(name), str) and str(form[name]).strip()}
    raw = to_report({**cells, "kind": kind, "report_id": report_id,
                     "referral_code": referral_code})
    report, problems = parse_report(raw)
    if report is None:
        outcome = rejected(raw, problems)
        async with runtime.uow() as uow:
            await keep_unparsed(uow, provider_of(principal), [outcome], Channel.FORM)
            await uow.commit()
    else:
        async with runtime.uow() as uow:
            [outcome] = await submit_reports(uow, provider_of(principal), [report],
                                             Channel.FORM)
            await uow.commit()
    refused = outcome.verdict is Verdict.REJECTED
    return await participant_page(request, principal, runtime, site, referral_code, outcome,
                                  422 if refused else 200)
