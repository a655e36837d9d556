"""Languages: ISO 639-3 codes (what intake stores, ``LanguageCode``) with German and English names.

The list is ISO 639-3's living individual languages and its macrolanguages (about 7,000),
from ``pycountry``, with the German names of Debian's ``iso-codes`` translations; extinct,
historical, constructed and special codes are left out (nobody arriving today speaks them,
and they would crowd the suggestions). Where the ISO reference name is not what a German
office calls the language, the name shown is adjusted (``Tigrinya`` rather than
``Tigrinja``, ``Kurdisch (Kurmandschi)`` rather than ``Nordkurdisch``; those names are page
texts in ``locale/<lang>/LC_MESSAGES/reference.po``), and the other names still resolve.

The common arrival languages come first in every picker (:data:`ARRIVAL_LANGUAGES`).
"""

from __future__ import annotations

import functools
import gettext
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, cast

import pycountry

from ankommen.shared.reference.matching import (
    LANGS,
    Alias,
    Entry,
    Lang,
    ReferenceList,
    texts,
)

#: The languages shown first, in this order. The order follows the countries of origin of
#: new participants in BAMF's integration courses (*Integrationskursgeschäftsstatistik*
#: 2022–2024: Ukraine, Syria, Afghanistan, Turkey, Iraq, Iran, Eritrea, Somalia, the Western
#: Balkans, Romania, Bulgaria, Poland, Georgia, Pakistan, Ethiopia …), each country's main
#: languages in the place of its first appearance. BAMF counts nationalities, not languages,
#: so this is a derived order; docs/reference-data.md says how to revise it.
ARRIVAL_LANGUAGES: tuple[str, ...] = (
    "ukr",  # Ukrainisch
    "rus",  # Russisch
    "ara",  # Arabisch
    "prs",  # Dari
    "fas",  # Persisch (Farsi)
    "pus",  # Paschtu
    "tur",  # Türkisch
    "kmr",  # Kurdisch (Kurmandschi)
    "ckb",  # Kurdisch (Sorani)
    "tir",  # Tigrinya
    "som",  # Somali
    "eng",  # Englisch
    "fra",  # Französisch
    "sqi",  # Albanisch
    "srp",  # Serbisch
    "ron",  # Rumänisch
    "bul",  # Bulgarisch
    "pol",  # Polnisch
    "kat",  # Georgisch
    "urd",  # Urdu
    "amh",  # Amharisch
)

#: Languages shown by a name of ours (``reference.language.<code>`` in ``reference.po``)
#: instead of the ISO reference name: what a German office calls them.
NAMED_HERE = frozenset({"ara", "ckb", "ell", "fas", "kir", "kmr", "kur", "msa", "nep", "pus",
                    "rom", "sdh", "spa", "swa", "tir"})

#: Further names clerks type; German and English mixed.
_VARIANTS: dict[str, tuple[str, ...]] = {
    "ara": ("Hocharabisch",),
    "ckb": ("Sorani", "Zentralkurdisch", "Central Kurdish"),
    "fas": ("Farsi", "Persisch", "Iranisch", "Persian"),
    "kmr": ("Kurmandschi", "Kurmanci", "Kurmanji", "Nordkurdisch", "Northern Kurdish"),
    "prs": ("Afghanisches Persisch", "Dari-Persisch", "Dari Persian"),
    "pus": ("Paschto", "Paschtunisch", "Pashto", "Pushto"),
    "sdh": ("Südkurdisch", "Southern Kurdish"),
    "srp": ("Serbokroatisch (Serbisch)",),
    "tir": ("Tigrinja", "Tigrinisch"),
}

#: Texts that mean several languages: the clerk chooses. "Kurdisch" is the macrolanguage's
#: name, but the course and the interpreter depend on the variety.
_AMBIGUOUS = (
    Alias("Kurdisch", ("kmr", "ckb", "kur")),
    Alias("Kurdish", ("kmr", "ckb", "kur")),
    # Debian's German name of Pashto adds "Afghanisch", but Afghanistan speaks Dari as much.
    Alias("Afghanisch", ("prs", "pus")),
)
#: Names in the translations that no office should meet (a slur for Romani).
_DROPPED = frozenset({"Zigeunersprache"})

#: ISO 639-3 scopes and types kept: individual (I) and macrolanguages (M) that are living (L).
_SCOPES = frozenset({"I", "M"})
_TYPES = frozenset({"L"})


def _shown(code: str, german: str, english: str) -> dict[Lang, str]:
    if code in NAMED_HERE:
        return texts(f"reference.language.{code}")
    return {"de": german, "en": english}


@functools.cache
def languages() -> ReferenceList:
    """Living ISO 639-3 languages and macrolanguages, the arrival languages first."""
    translations = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["de"])
    entries: list[Entry] = []
    # pycountry's records carry their fields as dynamic attributes (untyped).
    for language in cast(Iterable[Any], pycountry.languages):
        if getattr(language, "scope", None) not in _SCOPES or \
                getattr(language, "type", None) not in _TYPES:
            continue
        code: str = language.alpha_3
        english: str = language.name
        # Debian's translations list alternatives with ";" ("Paschtu; Afghanisch").
        german_names = [name.strip() for name in translations.gettext(english).split(";")]
        names = _shown(code, german_names[0], english)
        variants: set[str] = {english, *german_names, *_VARIANTS.get(code, ())}
        inverted = getattr(language, "inverted_name", None)
        if inverted:
            variants.add(inverted)
        variants -= {*names.values(), *_DROPPED}
        entries.append(Entry(code, names, tuple(sorted(variants))))
    return ReferenceList(_distinct(entries), aliases=_AMBIGUOUS, first=ARRIVAL_LANGUAGES,
                         code_case="lower")


def _distinct(entries: list[Entry]) -> list[Entry]:
    """Names shown are told apart: Debian's German names call eight languages "Malaiisch"
    (Banjar, Kerinci …). A name shared by several codes gets the English name (or, if that
    too is shared, the code) in brackets — except a name chosen here (:data:`NAMED_HERE`),
    which keeps it and is what the plain name resolves to ("Malaiisch" is Malay)."""
    distinct = list(entries)
    for lang in LANGS:
        shown = Counter(entry.names[lang] for entry in distinct)
        english = Counter(entry.names["en"] for entry in distinct)
        for position, entry in enumerate(distinct):
            name = entry.names[lang]
            if shown[name] == 1 or entry.code in NAMED_HERE:
                continue
            other = entry.names["en"]
            detail = other if lang == "de" and other != name and english[other] == 1 \
                else entry.code
            distinct[position] = replace(
                entry, names={**entry.names, lang: f"{name} ({detail})"},
                variants=(*entry.variants, name))
    return distinct
