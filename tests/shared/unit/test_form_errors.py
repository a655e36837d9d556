"""Refusals on a form read as German sentences next to the field they are about."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from ankommen.intake.entrypoints.pages import FormLists, read_registration
from ankommen.shared.reference import municipalities
from ankommen.shared.text import SHOWN_TEXT
from ankommen.shared.web.form_errors import form_errors
from ankommen.shared.web.i18n import FRAME_PACKAGE, Translator, catalogue_of

CATALOGUE = catalogue_of(FRAME_PACKAGE, "ankommen.intake")
GERMAN, ENGLISH = Translator(CATALOGUE, "de"), Translator(CATALOGUE, "en")
LISTS = FormLists.for_county(municipalities({"03358"}))
ENGLISH_REGEX_WORDS = ("should", "pattern", "Field required", "Value error", "validation")


class Sample(BaseModel):
    code: str = Field(pattern="^[a-z]{3}$")
    years: int = Field(ge=0, le=30)
    languages: list[str] = Field(min_length=1)
    note: str = Field(max_length=5)


def errors_of(values: dict, model: type[BaseModel] = Sample, **context: object) -> list:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(values, context=context or None)
    return refused.value.errors()


def by_field(location: tuple) -> str:
    return ".".join(str(part) for part in location)


def test_the_reasons_are_german_sentences_with_the_limits_and_never_the_pattern() -> None:
    shown = form_errors(errors_of({"code": "ARA", "years": 31, "languages": [],
                                   "note": "zu lang"}), GERMAN, by_field)
    assert shown == {"code": "Diese Angabe hat nicht die erwartete Form.",
                     "years": "Höchstens 30.",
                     "languages": "Bitte mindestens 1 auswählen oder angeben.",
                     "note": "Höchstens 5 Zeichen."}


def test_a_missing_answer_says_so_in_the_page_language() -> None:
    assert form_errors(errors_of({}), GERMAN, by_field)["years"] == "Bitte angeben."
    assert form_errors(errors_of({}), ENGLISH, by_field)["years"] == "Please fill this in."


def test_a_hidden_character_is_named_so_that_the_clerk_can_find_it() -> None:
    class Checked(BaseModel):
        name: Annotated[str, SHOWN_TEXT]

    shown = form_errors(errors_of({"name": "Ali\u202e"}, Checked), GERMAN, by_field)
    assert "U+202E" in shown["name"] and "unsichtbares" in shown["name"]


def test_the_intake_form_with_only_wrong_answers_speaks_no_english_and_names_form_fields(
        ) -> None:
    form = {"family_name": "", "given_names": "Ali", "birth_date": "2999-01-01",
            "nationalities": "Syrien, Arabien", "region_key": "x", "first_languages": "",
            "schooling_years": "-1", "max_travel_minutes": "viele", "interview_language": "ar",
            "obliged_by": "job_centre", "course_entitlement": "entitled",
            "children_needing_care": "0", "childcare_age_bands[]": ["under_3"],
            "reads_latin_script": "vielleicht", "file_number": "12345"}
    registration, shown = read_registration(form, LISTS, GERMAN, date(2026, 12, 5))
    assert registration is None
    assert shown["family_name"] == "Bitte angeben."
    assert shown["birth_date"] == "Das Datum darf nicht in der Zukunft liegen."
    assert shown["nationalities"].startswith("„Arabien“ ist nicht bekannt")
    assert shown["reads_latin_script"] == "Bitte Ja oder Nein wählen."
    assert shown["file_number_kind"] == "Bitte angeben."
    assert shown["gender"] == shown["german_level"] == "Bitte angeben."
    assert shown["schooling_years"] == "Mindestens 0."
    assert shown["max_travel_minutes"] == "Bitte eine ganze Zahl eingeben."
    for reason in shown.values():
        assert not any(word in reason for word in ENGLISH_REGEX_WORDS), reason
        assert reason != GERMAN("error.invalid"), "an error type without a text"


def test_a_model_validator_s_refusal_lands_on_the_field_it_names() -> None:
    form = {"family_name": "Haddad", "given_names": "Ali", "birth_date": "1990-03-04",
            "gender": "male", "region_key": "03358021", "first_languages": "ara",
            "german_level": "A1", "reads_latin_script": "yes", "schooling_years": "9",
            "school_qualification": "none", "residence_status": "recognised_refugee",
            "course_entitlement": "entitled", "obliged_by": "job_centre",
            "max_travel_minutes": "30", "availability[]": ["mornings"],
            "interview_language": "ara"}
    registration, shown = read_registration(form, LISTS, GERMAN, date(2026, 12, 5))
    assert registration is None
    assert shown == {"obliged_by": "Nur anzugeben, wenn die Person zum Kurs verpflichtet ist."}
