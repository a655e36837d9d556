"""The registration form as rendered and read (no server): nothing chosen before the clerk
chooses, limits the browser can read, required fields marked and described, names resolved to
codes and back, and the use case's refusals said in the page's language."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request

from ankommen.intake.entrypoints.pages import (
    FIELD_ORDER,
    FormLists,
    error_summary,
    form_options,
    refusal_text,
    registration_body,
    survey_answers,
    survey_form_values,
)
from ankommen.shared.errors import DomainError, NotFound
from ankommen.shared.reference import municipalities
from ankommen.shared.web.i18n import FRAME_PACKAGE, Translator, catalogue_of
from ankommen.shared.web.pages import Pages

CATALOGUE = catalogue_of(FRAME_PACKAGE, "ankommen.intake")
GERMAN, ENGLISH = Translator(CATALOGUE, "de"), Translator(CATALOGUE, "en")
LISTS = FormLists.for_county(municipalities({"03358"}))
PAGES = Pages("ankommen.intake", service_title="Erfassung")
REQUIRED_CONTROLS = ("family_name", "given_names", "birth_date", "gender", "region_key",
                     "residence_status", "course_entitlement", "first_languages",
                     "german_level", "schooling_years", "school_qualification",
                     "max_travel_minutes", "interview_language")


def rendered(form: dict | None = None, errors: dict | None = None, lang: str = "de") -> str:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": f"lang={lang}".encode()})
    t = PAGES.translator(request)
    response = PAGES.render(request, "register.html", {
        "form": form or {}, "errors": errors or {}, "candidates": [],
        "summary": error_summary(errors or {}, t), **form_options(LISTS, lang)})
    return response.body.decode()


def test_the_blank_form_has_nothing_chosen_and_marks_what_is_required() -> None:
    page = rendered()
    assert " checked" not in page
    selected = re.findall(r"<option[^>]*\bselected\b[^>]*>", page)
    assert selected and all("disabled" in option and 'value=""' in option
                            for option in selected), selected
    for name in REQUIRED_CONTROLS:
        control = re.search(rf'<(?:input|select) id="{name}"[^>]*>', page).group(0)
        assert 'aria-required="true"' in control and "required" in control, name
        assert re.search(rf'<label for="{name}">[^<]*<span class="required">'
                         r"\(Pflichtangabe\)</span></label>", page), name
    assert re.search(r'role="radiogroup" aria-required="true"', page)
    assert '<input type="radio" id="reads_latin_script-yes"' in page


def test_limits_reach_the_browser_as_attributes_and_every_description_exists() -> None:
    page = rendered()
    schooling = re.search(r'<input id="schooling_years"[^>]*>', page).group(0)
    assert 'min="0"' in schooling and 'max="30"' in schooling, schooling
    assert "&#34;" not in page and "&quot;" not in page
    described = {ident for ids in re.findall(r'aria-describedby="([^"]+)"', page)
                 for ident in ids.split()}
    assert {"region_key-help", "first_languages-help", "schooling_years-help",
            "availability-help", "file_number_kind-help", "consents-help"} <= described
    for ident in described:
        assert f'id="{ident}"' in page, ident
    assert '<input id="region_key" name="region_key" type="text" value="" ' \
           'list="municipalities-list"' in page
    assert '<option value="Soltau"></option>' in page


def test_a_refused_form_shows_a_summary_linking_to_each_field_and_keeps_every_value() -> None:
    form = {"family_name": "Haddad", "nationalities": "Syrein, Irak", "gender": "male",
            "reads_latin_script": "no", "availability[]": ["mornings", "weekends"],
            "employed": "on"}
    errors = {"nationalities": "„Syrein“ ist nicht bekannt. Meinten Sie: Syrien?",
              "availability": "Bitte mindestens 1 auswählen oder angeben.",
              "form": "Die Erfassung wurde abgelehnt – bitte die Angaben prüfen."}
    page = rendered(form, errors)
    assert re.findall(r'<li><a href="#([^"]+)">', page) == ["nationalities",
                                                            "availability-mornings"]
    assert ("Staatsangehörigkeiten: „Syrein“ ist nicht bekannt. Meinten Sie: Syrien?"
            in page)
    assert 'id="nationalities-error"' in page and 'id="availability-mornings"' in page
    assert 'value="Syrein, Irak"' in page and 'value="Haddad"' in page
    assert '<option value="male" selected>' in page
    assert 'id="reads_latin_script-no" name="reads_latin_script" value="no" checked' in page
    assert 'value="weekends" checked' in page and 'id="employed" name="employed" checked' in page


def test_the_summary_follows_the_form_order() -> None:
    errors = {name: "x" for name in reversed(FIELD_ORDER)}
    assert [entry["href"] for entry in error_summary(errors, GERMAN)][:3] == [
        "#family_name", "#given_names", "#birth_date"]


@pytest.mark.parametrize(("t", "typed", "codes"), [
    (GERMAN, {"nationalities": "Syrien, Türkei", "first_languages": "Arabisch",
              "region_key": "Soltau", "interview_language": "arabisch"},
     {"nationalities": ["SYR", "TUR"], "first_languages": ["ara"], "region_key": "03358021",
      "interview_language": "ara"}),
    (ENGLISH, {"nationalities": "Syria", "first_languages": "Arabic, Dari",
               "region_key": "03358021", "interview_language": "ara"},
     {"nationalities": ["SYR"], "first_languages": ["ara", "prs"], "region_key": "03358021",
      "interview_language": "ara"}),
])
def test_typed_names_become_codes(t: Translator, typed: dict, codes: dict) -> None:
    body, problems = registration_body(typed, LISTS, t)
    assert problems == {}
    assert body["identity"]["nationalities"] == codes["nationalities"]
    for name in ("first_languages", "region_key", "interview_language"):
        assert body["survey"][name] == codes[name], name


def test_unknown_names_are_refused_with_suggestions_in_the_page_language() -> None:
    _, german = registration_body({"nationalities": "Syrein"}, LISTS, GERMAN)
    _, english = registration_body({"nationalities": "Syrein"}, LISTS, ENGLISH)
    assert german == {"nationalities": "„Syrein“ ist nicht bekannt. Meinten Sie: Syrien?"}
    assert english == {"nationalities": "“Syrein” is not known. Did you mean: Syria?"}


def test_a_refused_name_is_quoted_without_its_direction_characters() -> None:
    _, problems = registration_body({"birth_country": "\u202eneiryS" + "x" * 50}, LISTS, GERMAN)
    assert "\u202e" not in problems["birth_country"]
    assert problems["birth_country"].startswith("„\ufffdneiryS")
    assert "neirySxxx" + "x" * 30 + "…“" in problems["birth_country"]


def test_nothing_is_filled_in_that_the_clerk_did_not_answer() -> None:
    """The form used to send ``reads_latin_script: false`` for an unticked box and a file
    number's agency as "other": now a missing answer stays missing, for validation to
    refuse."""
    body, _ = registration_body({"file_number": "1234567-890"}, LISTS, GERMAN)
    assert "reads_latin_script" not in body["survey"]
    assert body["identity"]["file_numbers"] == [{"number": "1234567-890"}]
    assert {"gender", "german_level", "region_key", "interview_language"}.isdisjoint(
        body["survey"])


def test_a_stored_survey_shows_names_and_reads_back_as_the_same_codes() -> None:
    stored = {"region_key": "03358021", "first_languages": ["ara", "kmr"],
              "other_languages": [], "interview_language": "ara", "reads_latin_script": False,
              "employed": True, "shift_work": False, "availability": ["mornings"],
              "schooling_years": 9, "obliged_by": None}
    values = survey_form_values(stored, LISTS, "de")
    assert values["region_key"] == "Soltau"
    assert values["first_languages"] == "Arabisch, Kurdisch (Kurmandschi)"
    assert values["reads_latin_script"] == "no" and values["employed"] == "on"
    assert "shift_work" not in values and "obliged_by" not in values
    answers, problems = survey_answers(values, LISTS, GERMAN)
    assert problems == {}
    for name in ("region_key", "first_languages", "interview_language", "availability"):
        assert answers[name] == stored[name], name
    assert answers["reads_latin_script"] == "no"


@pytest.mark.parametrize(("error", "field", "german"), [
    (DomainError("identity.birth_date: after the day of intake", field="identity.birth_date"),
     "birth_date", "Das Geburtsdatum liegt nach dem Tag der Erfassung."),
    (NotFound("resolution.case_id: no such case", field="resolution.case_id"),
     "form", "Der gewählte Fall ist nicht mehr vorhanden – bitte die Warnung erneut prüfen."),
    (DomainError("survey.schooling_years: Input should be less than or equal to 30",
                 field="survey.schooling_years"), "schooling_years",
     "Diese Angabe ist ungültig."),
    (DomainError("something new went wrong"), "form",
     "Die Erfassung wurde abgelehnt – bitte die Angaben prüfen."),
])
def test_the_use_case_s_refusals_read_german_not_their_english_detail(
        error: DomainError, field: str, german: str) -> None:
    assert refusal_text(error, GERMAN) == (field, german)
    assert error.detail not in refusal_text(error, ENGLISH)[1]
