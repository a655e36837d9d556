"""The duplicate warning's side-by-side comparison: what counts as a difference a clerk must
ask about (case, accents and spacing do not; a typed nationality name is compared by its
code), and nothing is marked when one side says nothing."""

from __future__ import annotations

import uuid
from datetime import date

from ankommen.intake.domain.identity import Identity
from ankommen.intake.entrypoints.duplicate_review import ReviewedCandidate, side_by_side
from ankommen.intake.service.case_views import PersonSummary


def person(**fields: object) -> Identity:
    return Identity.model_validate({"family_name": "Al-Hassan", "given_names": "Mohammed",
                                    "birth_date": "1990-03-04", "birth_place": "Aleppo",
                                    "nationalities": ["SYR"], **fields})


def differing(rows) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    return {row.field: (row.new, row.existing) for row in rows if row.differs}


def test_the_new_entry_is_compared_with_the_stored_person_as_the_clerk_reads_them():
    candidate = ReviewedCandidate(PersonSummary(uuid.uuid4(), person(), date(2026, 1, 5),
                                                None, "auslaenderbehoerde", 0.9))
    form = {"family_name": "al-hassan ", "given_names": "Muhammad",
            "birth_date": "1990-03-04", "birth_place": "ALEPPO", "nationalities": "Syrien"}
    assert differing(candidate.rows(form)) == {"given_names": ("Muhammad", "Mohammed")}
    english = candidate.rows({**form, "nationalities": "Iraq"}, "en")
    assert differing(english)["nationalities"] == ("Iraq", "Syria")
    silent = candidate.rows({"family_name": "Al-Hassan", "given_names": "Mohammed",
                             "birth_date": "", "birth_place": "", "nationalities": ""})
    assert differing(silent) == {}


def test_two_stored_people_side_by_side_mark_each_differing_fact():
    rows = side_by_side(person(), person(family_name="Alhasan", birth_date="1990-04-03",
                                         birth_place="Halab", nationalities=["SYR", "TUR"]))
    assert set(differing(rows)) == {"family_name", "birth_date", "birth_place",
                                    "nationalities"}
    assert differing(rows)["birth_date"] == ("04.03.1990", "03.04.1990")
    assert differing(rows)["nationalities"] == ("Syrien", "Syrien, Türkei")
