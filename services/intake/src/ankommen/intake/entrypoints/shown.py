"""Codes shown as words on the case work pages: countries, nationalities, languages and the
county's municipalities, by name from the shared reference lists
(:mod:`ankommen.shared.reference`) in the page's language. A code a list does not know (stored
before the list was introduced) shows as the code itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ankommen.shared.reference import Lang, ReferenceList, languages, nationalities


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "de"


def country(code: str | None, lang: str = "de") -> str:
    """A country or nationality by name ("Syrien", "staatenlos")."""
    return nationalities().label(code, _lang(lang)) if code else ""


def countries(codes: Iterable[str], lang: str = "de") -> str:
    return ", ".join(country(code, lang) for code in codes)


def language(code: str | None, lang: str = "de") -> str:
    """A language (ISO 639-3) by name ("Arabisch")."""
    return languages().label(code, _lang(lang)) if code else ""


def language_list(codes: Iterable[str], lang: str = "de") -> str:
    return ", ".join(language(code, lang) for code in codes)


def template_globals(municipalities: ReferenceList) -> dict[str, Callable[..., Any]]:
    """The functions the case pages' templates name codes with (the county's municipality
    list comes from the service's settings)."""
    def municipality(key: str | None, lang: str = "de") -> str:
        """A municipality by name, with its official key."""
        return f"{municipalities.label(key, _lang(lang))} ({key})" if key else ""

    return {"country_name": country, "country_names": countries, "language_name": language,
            "language_names": language_list, "municipality_name": municipality}
