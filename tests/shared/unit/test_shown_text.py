"""Text shown to other people (ankommen.shared.text): no control or direction characters,
every script and every legitimate name still accepted."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from ankommen.shared.text import HIDDEN_CHARACTER, PersonName, refused_character

NAME = TypeAdapter(PersonName)

LEGITIMATE = [
    "Müller-Lüdenscheidt", "Zoë Ørsted", "Łukasiewicz", "Nguyễn Thị Minh Khai",
    "O'Brien", "N’Diaye", "Anna Maria", "محمد عبد الله", "أحمد", "ሰላም ተስፋዬ",
    "Алексей Иванович", "Σωκράτης", "דוד", "张伟", "김민준", "ณัฐวุฒิ", "Ավետիք",
    "ნინო", "अर्जुन", "ஸ்ரீநிவாசன்",
    "علی\u200cرضا",  # Persian: the zero-width non-joiner belongs to the spelling
    "ക്\u200dഷ",  # Malayalam: the zero-width joiner too
    "Jean\u00a0Pierre",  # a no-break space is a space
]

REFUSED = {
    "NUL": "Ann\x00a", "line feed": "Anna\nSchmidt", "carriage return": "Anna\rSchmidt",
    "tab": "Anna\tSchmidt", "escape": "Anna\x1b[31m", "delete": "Anna\x7f",
    "C1 control": "Anna\x85Schmidt", "right-to-left override": "Anna\u202eadimhcS",
    "left-to-right override": "\u202dAnna", "right-to-left embedding": "\u202bAnna",
    "pop directional formatting": "Anna\u202c", "right-to-left isolate": "\u2067Anna",
    "first strong isolate": "\u2068Anna\u2069", "left-to-right mark": "Anna\u200e",
    "right-to-left mark": "Anna\u200f", "Arabic letter mark": "\u061cأحمد",
    "zero-width space": "An\u200bna", "byte-order mark": "\ufeffAnna",
    "soft hyphen": "An\u00adna", "line separator": "Anna\u2028Schmidt",
    "paragraph separator": "Anna\u2029Schmidt", "tag character": "Anna\U000e0041",
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_names_in_every_script_are_accepted(name: str) -> None:
    assert NAME.validate_python(name) == name


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_control_format_and_direction_characters_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        NAME.validate_python(name)
    [error] = refused.value.errors()
    assert error["type"] == HIDDEN_CHARACTER
    character = refused_character(error)
    assert character is not None and character.startswith("U+")
    assert character in error["msg"]


def test_the_reason_names_the_character_and_never_repeats_the_value() -> None:
    with pytest.raises(ValidationError) as refused:
        NAME.validate_python("Anna\u202eadimhcS")
    [error] = refused.value.errors()
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in error["msg"]
    assert "Anna" not in error["msg"]


def test_surrounding_whitespace_is_stripped_not_refused() -> None:
    assert NAME.validate_python(" Anna\n") == "Anna"


def test_other_errors_are_not_mistaken_for_hidden_characters() -> None:
    with pytest.raises(ValidationError) as refused:
        NAME.validate_python("")
    assert refused_character(refused.value.errors()[0]) is None


def test_every_field_shown_to_another_person_carries_the_rule() -> None:
    """Beyond names: intake's other identity text, the survey's occupations (sent to
    assignment and progress) and course titles (shown to coordinators and in exports)."""
    from ankommen.intake.domain.identity import Identity
    from ankommen.shared.events.contracts.assignment import Course
    from ankommen.shared.events.contracts.intake import Survey
    from tests.support.surveys import identity, survey

    forged = "Kurs\u202e"
    cases = [
        (Identity, {**identity(), "birth_place": forged}, "birth_place"),
        (Identity, {**identity(), "email": "a\u202e@example.org"}, "email"),
        (Identity, {**identity(), "address": {"street": forged, "postal_code": "29614",
                                              "city": "Soltau"}}, "address.street"),
        (Identity, {**identity(), "address": {"street": "Markt 1", "postal_code": "29614",
                                              "city": "Soltau", "care_of": forged}},
         "address.care_of"),
        (Survey, {**survey(age_years=30), "vocational_field": "Koch\nin"}, "vocational_field"),
        (Survey, {**survey(age_years=30), "university_field": forged}, "university_field"),
        (Course, {"course_id": "course-1", "provider_id": "vhs-a", "title": forged,
                  "course_type": "general_integration", "entry_level": "A1",
                  "target_level": "B1", "region_key": "03358021", "mode": "in_person",
                  "schedule": ["mornings"], "starts_on": "2027-01-04", "ends_on": "2027-06-30",
                  "hours": 700, "capacity": 20, "minimum_participants": 5, "status": "open"},
         "title"),
    ]
    for model, data, field in cases:
        with pytest.raises(ValidationError) as refused:
            model.model_validate(data)
        assert [(".".join(map(str, error["loc"])), error["type"])
                for error in refused.value.errors()] == [(field, HIDDEN_CHARACTER)], field
