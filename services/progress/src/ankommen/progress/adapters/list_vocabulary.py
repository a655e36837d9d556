"""The words providers' lists use for our columns and codes, German first.

A county's providers keep their lists in Excel with German headers ("Vermittlungscode",
"Art der Meldung", "Zeitraum von") and German values ("Anwesenheit", "ja", "Krankheit",
"Leben in Deutschland"). This module is the one place that knows those words:

- **headers**: each of our columns has a German label (the one the downloadable template
  writes, :data:`COLUMN_LABELS`) and further German and English names seen in lists;
- **values**: the kinds, reasons, exams and levels are recognised by the same words the pages
  show (the shared vocabulary catalogue's ``option.<enum>.<value>`` texts, German and
  English), besides the short forms providers write ("Anmeldung", "krank", "DTB").

Matching ignores case, spacing, punctuation and umlaut spelling (``Prüfung``, ``pruefung``,
``PRÜFUNG `` and ``Pruefung`` agree), so that a list typed by hand is read as it was meant.
"""

from __future__ import annotations

import functools
import re

from ankommen.shared.web.i18n import package_catalogue

#: Our column → its German label: the template's header and the name a refusal uses.
COLUMN_LABELS = {
    "referral_code": "Vermittlungscode",
    "kind": "Meldungsart",
    "date": "Datum",
    "period_start": "Zeitraum von",
    "period_end": "Zeitraum bis",
    "hours_attended": "Anwesende Stunden",
    "hours_planned": "Geplante Stunden",
    "reason": "Grund",
    "exam": "Prüfung",
    "passed": "Bestanden",
    "level_reached": "Erreichtes Niveau",
    "listening": "Hören",
    "reading": "Lesen",
    "writing": "Schreiben",
    "speaking": "Sprechen",
    "report_id": "Meldungs-ID",
    "corrects_report_id": "Korrigiert Meldungs-ID",
}
#: Further names of each column in providers' lists (German and English).
COLUMN_ALIASES = {
    "report_id": ["report_id", "report id", "meldung_id", "meldungsnummer", "meldungsnr",
                  "id"],
    "referral_code": ["referral_code", "referral code", "referenzcode", "referenz",
                      "code"],
    "kind": ["kind", "report kind", "art", "art der meldung", "meldung", "typ"],
    "date": ["date", "datum", "tag"],
    "period_start": ["period_start", "period start", "period from", "von", "zeitraum ab",
                     "beginn zeitraum", "beginn"],
    "period_end": ["period_end", "period end", "period to", "bis", "ende zeitraum", "ende"],
    "hours_attended": ["hours_attended", "hours attended", "stunden anwesend", "anwesend",
                       "ue anwesend", "anwesende ue", "anwesenheitsstunden"],
    "hours_planned": ["hours_planned", "hours planned", "stunden geplant", "geplant",
                      "ue geplant", "geplante ue", "sollstunden"],
    "reason": ["reason", "grund", "begruendung"],
    "exam": ["exam", "pruefung", "test"],
    "passed": ["passed", "bestanden", "ergebnis bestanden"],
    "level_reached": ["level_reached", "level reached", "level", "niveau", "stufe",
                      "erreichtes sprachniveau", "sprachniveau"],
    "corrects_report_id": ["corrects_report_id", "corrects report", "corrects report id",
                           "korrigiert", "korrektur von", "korrigiert meldung"],
    "listening": ["listening", "hoeren"],
    "reading": ["reading", "lesen"],
    "writing": ["writing", "schreiben"],
    "speaking": ["speaking", "sprechen"],
}
#: Columns a list must have: without them no row is a report.
REQUIRED_COLUMNS = ("referral_code", "kind")

#: Short forms providers write besides the pages' words (which are recognised anyway).
VALUE_ALIASES: dict[str, dict[str, list[str]]] = {
    "report_kind": {
        "enrolment": ["enrollment", "anmeldung", "eintritt", "kursbeginn", "beginn"],
        "attendance": ["anwesenheit", "teilnahme"],
        "interruption": ["unterbrechung"],
        "resumption": ["wiederaufnahme"],
        "exam_result": ["exam", "pruefung", "pruefungsergebnis"],
        "completion": ["abschluss", "kursende"],
        "discontinuation": ["abbruch", "austritt"],
        "retraction": ["ruecknahme", "storno"],
    },
    "reason": {
        "illness": ["krankheit", "krank", "erkrankung"],
        "childcare": ["kinderbetreuung", "betreuung", "fehlende kinderbetreuung"],
        "pregnancy": ["schwangerschaft", "mutterschutz"],
        "work": ["arbeit", "arbeitsaufnahme", "beschaeftigung", "erwerbstaetigkeit", "beruf"],
        "travel": ["reise", "urlaub", "auslandsaufenthalt"],
        "moved_away": ["umzug", "wegzug", "verzogen", "umgezogen"],
        "transport": ["fahrtweg", "anfahrt", "verkehrsanbindung", "mobilitaet"],
        "overtaxed": ["ueberforderung", "ueberfordert"],
        "other": ["sonstiges", "sonstige", "andere", "anderer grund"],
        "unknown": ["unbekannt", "nicht bekannt", "ohne angabe"],
    },
    "exam_type": {
        "dtz": ["dtz", "deutsch test fuer zuwanderer"],
        "life_in_germany": ["leben in deutschland", "lid", "test lid", "orientierungskurstest"],
        "job_related": ["dtb", "deutsch test fuer den beruf", "berufsbezogen", "telc beruf",
                        "berufssprachpruefung"],
        "other": ["sonstige", "sonstiges", "andere"],
    },
    "german_level": {},
}
#: Which enums of the vocabulary catalogue name the values of a column.
VALUE_ENUMS = {"report_kind": ("report_kind",),
               "reason": ("interruption_reason", "discontinuation_reason"),
               "exam_type": ("exam_type",),
               "german_level": ("german_level",)}
TRUE_WORDS = ("true", "yes", "ja", "j", "1", "x", "bestanden", "passed")
FALSE_WORDS = ("false", "no", "nein", "n", "0", "nicht bestanden", "failed")

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
VOCABULARY_PACKAGE = "ankommen.shared.web"


@functools.lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """``" Art der  Meldung"`` → ``art_der_meldung``; umlauts written out, punctuation and
    spacing one underscore. Cached: a list repeats a handful of words in every row."""
    lowered = text.strip().lower().translate(UMLAUTS)
    return re.sub(r"[^a-z0-9]+", "_", lowered).strip("_")


@functools.cache
def header_index() -> dict[str, str]:
    """Folded header name → our column."""
    index = {folded(name): column for column, names in COLUMN_ALIASES.items()
             for name in names}
    index.update({folded(label): column for column, label in COLUMN_LABELS.items()})
    return index


def column_of(header: str) -> str | None:
    """Our column for a list's header, or ``None`` for a column we do not read."""
    return header_index().get(folded(header))


@functools.cache
def value_index(kind: str) -> dict[str, str]:
    """Folded word → code for one kind of value (``report_kind``, ``reason``, ``exam_type``,
    ``german_level``): the codes themselves, the pages' words in German and English, and
    the short forms of :data:`VALUE_ALIASES`."""
    index: dict[str, str] = {}
    catalogue = package_catalogue(VOCABULARY_PACKAGE)
    for enum in VALUE_ENUMS[kind]:
        prefix = f"option.{enum}."
        for key, texts in catalogue.items():
            if key.startswith(prefix):
                code = key.removeprefix(prefix)
                index[folded(code)] = code
                for text in texts.values():
                    index.setdefault(folded(text), code)
    for code, names in VALUE_ALIASES[kind].items():
        for name in names:
            index.setdefault(folded(name), code)
    return index


def code_of(kind: str, value: str) -> str | None:
    """The code a list's word stands for, or ``None`` for a word we do not know."""
    return value_index(kind).get(folded(value))


def words_of(kind: str, language: str = "de") -> dict[str, str]:
    """Code → the pages' word (``option.<enum>.<code>``) in ``language``: the allowed values
    a template offers."""
    catalogue = package_catalogue(VOCABULARY_PACKAGE)
    words: dict[str, str] = {}
    for enum in VALUE_ENUMS[kind]:
        prefix = f"option.{enum}."
        for key, texts in catalogue.items():
            if key.startswith(prefix):
                words.setdefault(key.removeprefix(prefix), texts.get(language) or texts["de"])
    return words


def boolean_of(value: str) -> bool | None:
    word = folded(value).replace("_", " ")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
