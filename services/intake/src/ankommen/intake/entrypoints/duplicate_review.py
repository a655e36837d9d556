"""What a clerk sees of the likely existing cases when a registration meets them: each
candidate's names, birth date, birth place, nationality, registration date and office next
to the new entry, the differences marked — so that the clerk can ask the person the right
question instead of comparing a case id and a score.

Showing a candidate is reading its identity: each one shown is audited as a read for
duplicate review (:func:`..service.case_views.review_candidates`), in its own transaction
— the registration that met the candidates was rolled back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ankommen.intake.config import IntakeRuntime
from ankommen.intake.domain.duplicates import Candidate
from ankommen.intake.domain.identity import Identity
from ankommen.intake.entrypoints import shown
from ankommen.intake.service import case_views
from ankommen.intake.service.case_views import PersonSummary
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.identity.auth import Principal
from ankommen.shared.reference import TooManyValues, nationalities

#: The compared facts, in the order the warning lists them (catalogue keys of their labels).
COMPARED = ("family_name", "given_names", "birth_date", "birth_place", "nationalities")


def _folded(text: str) -> str:
    """Case, accents and spacing do not make a difference a clerk must ask about."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed
                            if not unicodedata.combining(char)).split())


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _nationality_codes(text: str, lang: str) -> list[str]:
    """The nationalities typed into the form (names, as the clerk typed them) as codes; a
    name the list cannot resolve is left out (the form refuses it on submission)."""
    try:
        resolutions = nationalities().resolve_many(text, "en" if lang == "en" else "de")
    except TooManyValues:
        return []
    return [resolution.code for resolution in resolutions if resolution.code]


def new_entry(form: Mapping[str, Any], lang: str = "de") -> dict[str, Any]:
    """The compared facts of the entry being registered, as the form holds them."""
    try:
        birth_date: date | None = date.fromisoformat(str(form.get("birth_date") or ""))
    except ValueError:
        birth_date = None
    return {"family_name": str(form.get("family_name") or "").strip(),
            "given_names": str(form.get("given_names") or "").strip(),
            "birth_date": birth_date,
            "birth_place": str(form.get("birth_place") or "").strip(),
            "nationalities": _nationality_codes(str(form.get("nationalities") or ""), lang)}


@dataclass(frozen=True)
class Row:
    field: str
    new: str
    existing: str
    differs: bool


@dataclass(frozen=True)
class ReviewedCandidate:
    """A likely existing case as the warning shows it."""

    person: PersonSummary

    @property
    def case_id(self) -> object:
        return self.person.case_id

    def rows(self, form: Mapping[str, Any], lang: str = "de") -> list[Row]:
        """The new entry (as the form holds it) next to this case's identity."""
        return compared(new_entry(form, lang), _facts(self.person.identity), lang)


def _facts(identity: Identity) -> dict[str, Any]:
    return {"family_name": identity.family_name, "given_names": identity.given_names,
            "birth_date": identity.birth_date, "birth_place": identity.birth_place or "",
            "nationalities": list(identity.nationalities)}


def side_by_side(left: Identity, right: Identity, lang: str = "de") -> list[Row]:
    """Two stored identities compared (the review queue)."""
    return compared(_facts(left), _facts(right), lang)


def compared(left: Mapping[str, Any], right: Mapping[str, Any], lang: str) -> list[Row]:
    """The compared facts side by side; a fact differs when both sides give one and they
    are not equal (case and accents aside)."""
    rows: list[Row] = []
    for name in COMPARED:
        one, other = left[name], right[name]
        if name == "birth_date":
            differs = one is not None and other is not None and one != other
            shown_one, shown_other = _day(one), _day(other)
        elif name == "nationalities":
            differs = bool(one and other) and set(one) != set(other)
            shown_one, shown_other = shown.countries(one, lang), shown.countries(other, lang)
        else:
            differs = bool(one and other) and _folded(one) != _folded(other)
            shown_one, shown_other = one, other
        rows.append(Row(name, shown_one, shown_other, differs))
    return rows


async def duplicate_warning(runtime: IntakeRuntime, protection: IdentityProtection,
                            actor: Principal, candidates: list[Candidate]
                            ) -> list[ReviewedCandidate]:
    """The candidates as the warning shows them (each read audited as duplicate review)."""
    async with runtime.uow() as uow:
        people = await case_views.review_candidates(uow, protection, candidates, actor)
    return [ReviewedCandidate(person) for person in people]
