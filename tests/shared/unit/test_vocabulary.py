"""The shared vocabulary has a German and an English word for every code of the event
contracts that pages show, and region keys become names from the municipality directory."""

from __future__ import annotations

from enum import StrEnum

import pytest

from ankommen.shared.events.contracts import assignment, progress
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel, TimeSlot
from ankommen.shared.reference import district_names, municipalities
from ankommen.shared.web.i18n import FRAME_PACKAGE, LANGUAGES, Translator, package_catalogue
from ankommen.shared.web.words import Places, Words

#: Each shared enum under its vocabulary name (time slots under the survey field's name).
VOCABULARY: dict[str, type[StrEnum]] = {
    "availability": TimeSlot, "course_type": CourseType, "german_level": GermanLevel,
    "course_mode": assignment.CourseMode, "course_status": assignment.CourseStatus,
    "course_approval": assignment.CourseApproval, "waitlist_reason": assignment.WaitlistReason,
    "report_kind": progress.ReportKind, "exam_type": progress.ExamType,
    "discontinuation_reason": progress.DiscontinuationReason,
    "interruption_reason": progress.InterruptionReason, "skill": progress.Skill}
COUNTY = frozenset({"03358", "03359"})


@pytest.mark.parametrize("name", VOCABULARY)
def test_every_value_of_a_shared_enum_has_a_german_and_an_english_word(name: str) -> None:
    catalogue = package_catalogue(FRAME_PACKAGE)
    missing = [f"option.{name}.{member.value} ({language})" for member in VOCABULARY[name]
               for language in LANGUAGES
               if not catalogue.get(f"option.{name}.{member.value}", {}).get(language)]
    assert missing == []


def words(language: str) -> Words:
    places = Places(lambda: (municipalities({"03358"}), district_names(COUNTY)))
    return Words(Translator(package_catalogue(FRAME_PACKAGE), language, strict=True), places)


def test_districts_and_municipalities_are_shown_by_name() -> None:
    assert words("de").district("03358") == "Landkreis Heidekreis"
    # A district the directory has no row for keeps a readable fallback.
    assert words("de").district("03359") == "Kreis 03359"
    assert words("en").district("03359") == "District 03359"
    assert words("de").region("03358021") == "Soltau"
    assert words("de").region("03358") == "Landkreis Heidekreis"
    assert words("de").options("availability", ["mornings", "evenings"]) == "vormittags, abends"
    assert words("de").option("course_type", CourseType.GENERAL_INTEGRATION) == (
        "Allgemeiner Integrationskurs")


def test_a_provider_is_shown_by_its_name_and_by_its_id_only_without_one() -> None:
    assert Words.provider("vhs-heidekreis", "VHS Heidekreis") == "VHS Heidekreis"
    assert Words.provider("vhs-heidekreis", None) == "vhs-heidekreis"


def test_district_names_need_no_municipalities_of_every_district() -> None:
    """Names for the districts the directory has, even where municipalities() would refuse
    the county (a district without municipalities): the pages must still render."""
    assert district_names(COUNTY) == {"03358": "Landkreis Heidekreis"}
