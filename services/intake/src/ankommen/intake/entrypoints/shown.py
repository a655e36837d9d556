"""Codes shown as words on the case work pages: countries, languages, municipalities.

One small function per list, so that the pages name a country "Syrien", not ``SYR``. The
names come from the shared reference lists (:mod:`ankommen.shared.reference`) once they are
wired; until then the code is shown as it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable


def country(code: str | None, lang: str = "de") -> str:
    """A country or nationality by name."""
    return code or ""


def countries(codes: Iterable[str], lang: str = "de") -> str:
    return ", ".join(country(code, lang) for code in codes)


def language(code: str | None, lang: str = "de") -> str:
    """A language (ISO 639-3) by name."""
    return code or ""


def languages(codes: Iterable[str], lang: str = "de") -> str:
    return ", ".join(language(code, lang) for code in codes)


def municipality(key: str | None, lang: str = "de") -> str:
    """A municipality (official key) by name, with its key."""
    return key or ""


GLOBALS = {"country_name": country, "country_names": countries, "language_name": language,
           "language_names": languages, "municipality_name": municipality}
