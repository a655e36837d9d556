"""The invitation letter's content and layout without a service: every language renders
from its catalogue with nothing missing, dates speak the person's language, Arabic is shaped
and runs right to left, Cyrillic left to right, and the course contract takes the letter's
fields without breaking older events."""

from __future__ import annotations

import re
from datetime import date, time

import pypdfium2
import pytest
from pydantic import ValidationError

from ankommen.intake.adapters import letter_pdf, letter_texts
from ankommen.intake.domain.letter import (
    GERMAN,
    LETTER_LANGUAGES,
    PRINTABLE,
    CourseDetails,
    Invitation,
    default_language,
)
from ankommen.intake.service.letters import compose, letter_languages
from ankommen.shared.events.contracts.assignment import Course, CourseContact, Venue
from tests.progress.integration.catalogue import course as catalogue_course
from tests.support.pdf_layout import (
    is_arabic,
    is_cyrillic,
    joined_share,
    left_to_right,
    lines_in,
    right_to_left,
)

COURSE = CourseDetails(
    course_id="HK-1", provider_id="vhs-heidekreis", starts_on=date(2027, 1, 11),
    title="Allgemeiner Integrationskurs Soltau", provider_name="Volkshochschule Heidekreis",
    venue=Venue(name="VHS Soltau, Kursraum 2", street="Poststraße 10", postal_code="29614",
                city="Soltau"),
    daily_start=time(8, 30), daily_end=time(12, 45),
    contact=CourseContact(name="Kursbüro", phone="05191 99123", email="kurse@vhs.example"),
    what_to_bring="Lichtbild")
INVITATION = Invitation("Haddad", "Amira", COURSE, date(2026, 12, 5))
SENDER = "Landkreis Heidekreis – Integrationskoordination"
PLACEHOLDER = re.compile(r"{(\w+)}")


def pdf_of(language: str, invitation: Invitation = INVITATION) -> pypdfium2.PdfDocument:
    letter = compose(invitation, "REF-1A2B3C4D", PRINTABLE[language], SENDER)
    return pypdfium2.PdfDocument(letter_pdf.render_letter(letter))


def test_every_catalogue_has_every_text_of_the_german_letter_with_its_placeholders():
    german = letter_texts.letter_texts("deu")
    for code in LETTER_LANGUAGES:
        texts = letter_texts.letter_texts(code)
        assert texts.keys() == german.keys(), code
        for key, text in german.items():
            assert set(PLACEHOLDER.findall(texts[key])) == set(PLACEHOLDER.findall(text)), \
                (code, key)


def test_a_catalogue_missing_a_text_of_the_letter_fails_loudly(monkeypatch):
    incomplete = dict(letter_texts.letter_texts("som"))
    del incomplete["letter.bring.writing"]
    monkeypatch.setattr(letter_texts, "letter_texts", lambda language: incomplete)
    with pytest.raises(letter_texts.MissingText, match="letter.bring.writing"):
        compose(INVITATION, "REF-1A2B3C4D", LETTER_LANGUAGES["som"], SENDER)


def test_every_catalogue_names_its_review_state():
    for code in PRINTABLE:
        assert letter_texts.reviewed_by(code).startswith("not yet reviewed"), code


@pytest.mark.parametrize("code", list(PRINTABLE))
def test_every_language_renders_one_page_with_german_first_and_the_persons_language(code):
    document = pdf_of(code)
    assert len(document) == 1
    text = document[0].get_textpage().get_text_range()
    german = text.index(letter_texts.text("deu", "letter.title"))
    own = text.rindex(letter_texts.text(code, "letter.title"))
    assert german <= own
    assert text.count("Amira Haddad") >= 2 and "Poststraße 10, 29614 Soltau" in text
    assert letter_texts.text(code, "letter.closing") in text


def test_a_character_no_font_of_the_letter_can_show_is_refused_not_printed_as_a_box():
    """(The check every language's letter above passes: their texts have glyphs.)"""
    odd = CourseDetails(course_id="HK-3", provider_id="vhs", starts_on=date(2027, 1, 11),
                        title="Kurs \u4e2d")
    with pytest.raises(letter_pdf.GlyphMissing, match="U\\+4E2D"):
        pdf_of("ara", Invitation("Haddad", "Amira", odd, date(2026, 12, 5)))


def test_dates_and_months_are_in_the_persons_language():
    assert "Montag, 11. Januar 2027, 08:30 Uhr" in _text("deu")
    assert "11 января 2027" in _text("rus")
    assert "11 січня 2027" in _text("ukr")
    assert "يناير" in _text("ara")
    assert "Ocak" in _text("tur")


def _text(code: str) -> str:
    letter = compose(INVITATION, "REF-1A2B3C4D", PRINTABLE[code], SENDER)
    return "\n".join(paragraph.text for section in letter.sections
                     for paragraph in section.paragraphs)


def test_the_arabic_letter_is_shaped_and_runs_right_to_left():
    document = pdf_of("ara")
    arabic = lines_in(document, is_arabic)
    assert len(arabic) >= 10
    assert right_to_left(arabic, document[0].get_width())
    pairs, share = joined_share(arabic)
    assert pairs > 50 and share > 0.9


def test_the_ukrainian_letter_is_cyrillic_left_to_right():
    cyrillic = lines_in(pdf_of("ukr"), is_cyrillic)
    assert len(cyrillic) >= 10 and left_to_right(cyrillic)


def test_the_default_language_is_the_first_first_language_with_a_letter():
    assert default_language(["kur", "fas", "ara"]) is LETTER_LANGUAGES["fas"]
    assert default_language(["kur"]) is None
    assert default_language([]) is None


def test_the_case_page_gets_every_letter_language_with_its_german_name():
    choices = {choice.code: choice.german_name for choice in letter_languages()}
    assert choices == {"ara": "Arabisch", "ukr": "Ukrainisch", "prs": "Dari",
                       "fas": "Persisch (Farsi)", "pus": "Paschtu", "tur": "Türkisch",
                       "rus": "Russisch", "tir": "Tigrinya", "som": "Somali",
                       "eng": "Englisch", "deu": "Deutsch"}
    assert GERMAN.code == "deu"


def test_a_missing_font_names_the_debian_package(tmp_path):
    with pytest.raises(letter_pdf.FontMissing, match="fonts-noto-core"):
        letter_pdf.font_path("NotoNaskhArabic-Regular.ttf", tmp_path)


def test_a_letter_without_the_optional_course_details_leaves_them_to_the_provider():
    bare = CourseDetails(course_id="HK-2", provider_id="vhs-heidekreis",
                         starts_on=date(2027, 1, 11))
    text = pdf_of("eng", Invitation("Haddad", "Amira", bare, date(2026, 12, 5)))[0] \
        .get_textpage().get_text_range()
    assert "Venue: the provider will tell you" in text
    assert "Course provider: vhs-heidekreis" in text


def test_the_course_contract_takes_the_letter_details_and_old_events_stay_valid():
    old = catalogue_course("vhs-a")
    assert old.venue is None and old.provider_name is None
    data = old.model_dump(mode="json") | {
        "provider_name": "VHS", "daily_start": "08:30", "daily_end": "12:45",
        "venue": {"name": "VHS", "street": "Poststraße 10", "postal_code": "29614",
                  "city": "Soltau"},
        "contact": {"name": "Kursbüro", "phone": "05191 99123"}}
    assert Course.model_validate(data).daily_start == time(8, 30)
    for wrong in ({"daily_end": "08:00"}, {"venue": {**data["venue"], "postal_code": "2961"}},
                  {"venue": {**data["venue"], "name": "VHS\u202e"}},
                  {"contact": {"name": "Büro", "phone": "call me"}},
                  {"contact": {"name": "Büro", "email": "a\u0000@b.example"}},
                  {"daily_start": "08:30+02:00"}):
        with pytest.raises(ValidationError):
            Course.model_validate(data | wrong)
