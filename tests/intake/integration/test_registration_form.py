"""The staff's registration form over HTTP (in process, real database and broker): names typed
for countries, languages and the municipality; nothing stored the clerk did not choose; what
the form used to fill in by itself refused when it is missing, in German at the field, with
every entered value shown again."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from sqlalchemy import select

from ankommen.intake.adapters.tables import cases
from ankommen.intake.domain.identity import Identity, age_on
from ankommen.shared.events.contracts.intake import Survey
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.support.services import RunningService, token
from tests.support.tokens import issue_token

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
SUMMARY_ENTRY = re.compile(r'<li><a href="#([^"]+)">([^<]*)</a></li>')

#: Only the answers the survey requires, pickers as a clerk types them (German names).
REQUIRED: dict[str, Any] = {
    "family_name": "Rahimi", "given_names": "Zahra", "birth_date": "1994-07-21",
    "gender": "diverse", "region_key": "Soltau", "residence_status": "tolerated",
    "course_entitlement": "unknown", "first_languages": "Dari", "german_level": "A2",
    "reads_latin_script": "no", "schooling_years": "6", "school_qualification": "primary",
    "max_travel_minutes": "30", "availability[]": ["evenings"],
    "interview_language": "Farsi"}
#: What the clerk chose, as stored (names resolved to codes).
CHOSEN_SURVEY = {
    "gender": "diverse", "region_key": "03358021", "residence_status": "tolerated",
    "course_entitlement": "unknown", "first_languages": ["prs"], "german_level": "A2",
    "reads_latin_script": False, "schooling_years": 6, "school_qualification": "primary",
    "max_travel_minutes": 30, "availability": ["evenings"], "interview_language": "fas"}
CHOSEN_IDENTITY = {"family_name": "Rahimi", "given_names": "Zahra",
                   "birth_date": date(1994, 7, 21)}


async def signed_in(intake: RunningService) -> str:
    """Intake staff's session in the client's jar; the form's CSRF token."""
    intake.sign_in_with(issue_token(Role.INTAKE_STAFF, "test"))
    response = await intake.client.get("/")
    assert response.status_code == 200, response.text
    return CSRF_FIELD.search(response.text).group(1)


def summary(page: str) -> dict[str, str]:
    """The error summary: anchor -> "Label: reason"."""
    return {anchor: html.unescape(text) for anchor, text in SUMMARY_ENTRY.findall(page)}


async def test_only_the_required_answers_store_nothing_the_clerk_did_not_choose(
        kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        csrf = await signed_in(intake)
        answer = await intake.client.post("/", data={"csrftoken": csrf, **REQUIRED})
        assert answer.status_code == 200, answer.text
        assert "Der Fall wurde angelegt." in answer.text
        pseudonym = re.search(r'id="pseudonym">([^<]+)<', answer.text).group(1)
        async with intake.runtime.sessions() as session:
            case_id = await session.scalar(select(cases.c.case_id).where(
                cases.c.pseudonym == pseudonym))
        exported = await intake.client.get(f"/cases/{case_id}/export",
                                           headers=token(Role.INTAKE_STAFF))
        record = exported.json()["case"]
    stored_survey = Survey.model_validate(record["survey"])
    for name, field in Survey.model_fields.items():
        if name == "age_years":
            expected = age_on(date(1994, 7, 21), intake.runtime.clock.today())
        else:
            expected = CHOSEN_SURVEY.get(name, field.get_default(call_default_factory=True))
        assert getattr(stored_survey, name) == expected, name
    stored_identity = Identity.model_validate(record["identity"])
    for name, field in Identity.model_fields.items():
        expected = CHOSEN_IDENTITY.get(name, field.get_default(call_default_factory=True))
        assert getattr(stored_identity, name) == expected, name


async def test_what_the_form_used_to_fill_in_is_refused_in_german_with_the_values_kept(
        kafka, sqlite_databases):
    """The attacks on the data's truth: a survey without its required answers (the form used
    to send the first option of each select and a ticked box), a select's placeholder sent as
    an answer, a file number without its agency (stored as "other" before), a forged yes/no,
    names that mean no code or several, and a flood of values in one field."""
    async with running_intake(kafka, sqlite_databases) as intake:
        csrf = await signed_in(intake)
        empty = await intake.client.post("/", data={"csrftoken": csrf, "gender": "",
                                                    "german_level": ""})
        wrong = await intake.client.post("/", data={
            "csrftoken": csrf, **REQUIRED, "reads_latin_script": "vielleicht",
            "file_number": "1234567-890", "nationalities": "Syrein",
            "first_languages": "Dari, Kurdisch", "birth_country": "Atlantis",
            "other_languages": ", ".join(["Arabisch"] * 21)})
    assert empty.status_code == 422
    refused = summary(empty.text)
    assert set(refused) == {
        "family_name", "given_names", "birth_date", "gender", "region_key",
        "residence_status", "course_entitlement", "first_languages", "german_level",
        "reads_latin_script-yes", "schooling_years", "school_qualification",
        "max_travel_minutes", "availability-mornings", "interview_language"}
    assert refused["reads_latin_script-yes"] == (
        "Liest und schreibt lateinische Schrift: Bitte angeben.")
    assert refused["availability-mornings"] == (
        "Verfügbar: Bitte mindestens 1 auswählen oder angeben.")
    assert 'role="alert"' in empty.text

    assert wrong.status_code == 422
    refused = summary(wrong.text)
    assert refused.pop("first_languages").startswith(
        "Erstsprachen: „Kurdisch“ ist nicht eindeutig – bitte eines davon angeben: "
        "Kurdisch (Kurmandschi), Kurdisch (Sorani)")
    assert refused == {
        "birth_country": "Geburtsland: „Atlantis“ ist nicht bekannt – bitte den Namen prüfen.",
        "nationalities": "Staatsangehörigkeiten: „Syrein“ ist nicht bekannt. Meinten Sie: "
                         "Syrien?",
        "file_number_kind": "Aktenzeichen von: Bitte angeben.",
        "other_languages": "Weitere Sprachen: Zu viele Angaben in einem Feld.",
        "reads_latin_script-yes": "Liest und schreibt lateinische Schrift: Bitte Ja oder Nein "
                                  "wählen."}
    kept = wrong.text
    for value in ("Rahimi", "Zahra", "1994-07-21", "Soltau", "Syrein", "Dari, Kurdisch",
                  "Atlantis", "Farsi", "1234567-890"):
        assert f'value="{value}"' in kept, value
    assert re.search(r'<option value="tolerated" selected>', kept)
    assert re.search(r'value="evenings" checked>', kept)
