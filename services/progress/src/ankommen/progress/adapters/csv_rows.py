"""Reading providers' own CSV lists into report objects, before the one validation path.

Providers export from Excel as often as from anything else, so this accepts UTF-8 (with or
without BOM) and Windows-1252/Latin-1, semicolons, commas or tabs, decimal commas, German
dates (``31.10.2026``) and German column and value names — and a column mapping for lists
whose headers are the provider's own. Unknown columns are ignored (lists carry remarks, room
numbers …); nothing here decides whether a report is acceptable, it only translates.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Column names we understand (canonical), with the aliases seen in providers' lists.
COLUMN_ALIASES = {
    "report_id": ["report_id", "meldungs_id", "meldung_id", "meldungsnummer", "id"],
    "referral_code": ["referral_code", "vermittlungscode", "code"],
    "kind": ["kind", "art", "meldungsart", "typ"],
    "date": ["date", "datum"],
    "period_start": ["period_start", "von", "zeitraum_von", "beginn_zeitraum"],
    "period_end": ["period_end", "bis", "zeitraum_bis", "ende_zeitraum"],
    "hours_attended": ["hours_attended", "stunden_anwesend", "anwesend", "ue_anwesend"],
    "hours_planned": ["hours_planned", "stunden_geplant", "geplant", "ue_geplant"],
    "reason": ["reason", "grund"],
    "exam": ["exam", "pruefung", "prüfung"],
    "passed": ["passed", "bestanden"],
    "level_reached": ["level_reached", "niveau", "stufe"],
    "corrects_report_id": ["corrects_report_id", "korrigiert", "korrektur_von"],
    "listening": ["listening", "hoeren", "hören"],
    "reading": ["reading", "lesen"],
    "writing": ["writing", "schreiben"],
    "speaking": ["speaking", "sprechen"],
}
KIND_ALIASES = {
    "enrolment": ["enrolment", "enrollment", "anmeldung", "eintritt", "kursbeginn"],
    "attendance": ["attendance", "anwesenheit", "teilnahme"],
    "interruption": ["interruption", "unterbrechung"],
    "resumption": ["resumption", "wiederaufnahme"],
    "exam_result": ["exam_result", "exam", "pruefung", "prüfung", "pruefungsergebnis",
                    "prüfungsergebnis"],
    "completion": ["completion", "abschluss", "kursende"],
    "discontinuation": ["discontinuation", "abbruch", "austritt"],
    "retraction": ["retraction", "ruecknahme", "rücknahme", "storno"],
}
#: Reason categories (interruption and discontinuation share the codes; whether a code fits
#: the kind is the validation's business). German as providers write it; umlauts may be
#: written out (ue, oe, ae, ss).
REASON_ALIASES = {
    "illness": ["illness", "krankheit", "krank", "erkrankung"],
    "childcare": ["childcare", "kinderbetreuung", "betreuung", "fehlende_kinderbetreuung"],
    "pregnancy": ["pregnancy", "schwangerschaft", "mutterschutz"],
    "work": ["work", "arbeit", "arbeitsaufnahme", "beschäftigung", "erwerbstätigkeit",
             "beruf"],
    "travel": ["travel", "reise", "urlaub", "auslandsaufenthalt"],
    "moved_away": ["moved_away", "umzug", "wegzug", "verzogen", "umgezogen"],
    "transport": ["transport", "fahrtweg", "anfahrt", "verkehrsanbindung", "mobilität"],
    "overtaxed": ["overtaxed", "überforderung", "überfordert"],
    "other": ["other", "sonstiges", "sonstige", "andere", "anderer_grund"],
    "unknown": ["unknown", "unbekannt", "nicht_bekannt", "ohne_angabe"],
}
EXAM_ALIASES = {
    "dtz": ["dtz", "deutsch_test_für_zuwanderer"],
    "life_in_germany": ["life_in_germany", "leben_in_deutschland", "lid", "test_lid",
                        "orientierungskurstest"],
    "job_related": ["job_related", "dtb", "deutsch_test_für_den_beruf", "berufsbezogen",
                    "telc_beruf", "berufssprachprüfung"],
    "other": ["other", "sonstige", "sonstiges", "andere"],
}
#: Which report field the generic ``date`` column fills, per kind.
DATE_FIELD = {"enrolment": "started_on", "interruption": "interrupted_on",
              "resumption": "resumed_on", "exam_result": "taken_on",
              "completion": "completed_on", "discontinuation": "discontinued_on"}
TRUE = {"true", "yes", "ja", "1", "x", "bestanden", "passed"}
FALSE = {"false", "no", "nein", "0", "nicht bestanden", "failed"}
SKILLS = ("listening", "reading", "writing", "speaking")
NUMBER_COLUMNS = ("hours_attended", "hours_planned")
DATE_COLUMNS = ("date", "period_start", "period_end")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
GERMAN_NUMBER = re.compile(r"^\d{1,3}(\.\d{3})*(,\d+)?$|^\d+,\d+$")


class UnreadableFile(ValueError):
    """The upload is not a CSV list we can read at all; ``field`` names what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class UploadTooLarge(UnreadableFile):
    """The upload exceeds the size we read at all (answered 413)."""


@dataclass(frozen=True)
class Row:
    #: Line number in the file as a spreadsheet shows it (the header is row 1).
    number: int
    report: dict[str, Any]


def decode(content: bytes) -> str:
    """UTF-8 if it is UTF-8, otherwise the Windows code page Excel writes."""
    if b"\x00" in content:
        # Text in UTF-8 or Windows-1252 never holds NUL bytes: UTF-16 ("Unicode text" in
        # Excel) or a spreadsheet file rather than a CSV list.
        raise UnreadableFile("file", "is not a CSV text file in UTF-8 or Windows-1252 (UTF-16 "
                                     "text or an Excel workbook?); save it as \"CSV UTF-8\"")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            return content.decode("latin-1")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``{"referral_code": "Teilnehmer-Code", …}``: our column name → the list's header."""
    if not text or not text.strip():
        return {}
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError:
        raise UnreadableFile("mapping", "must be a JSON object of column → header") from None
    if not isinstance(mapping, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()):
        raise UnreadableFile("mapping", "must be a JSON object of column → header")
    unknown = sorted(set(mapping) - set(COLUMN_ALIASES))
    if unknown:
        raise UnreadableFile("mapping", f"unknown column {unknown[0]!r}; known: "
                                        + ", ".join(COLUMN_ALIASES))
    return mapping


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-/]+", "_", name.strip().lower())


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@functools.lru_cache(maxsize=4096)
def _folded(name: str) -> str:
    """Normalised, with umlauts written out: ``Überforderung`` and ``Ueberforderung`` agree.
    Cached: a list repeats a handful of kinds, reasons and exams in every row."""
    return _normalise(name).translate(UMLAUTS)


def _columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Column index → our column name."""
    by_header = {_normalise(value): key for key, value in mapping.items()}
    aliases = {alias: key for key, names in COLUMN_ALIASES.items() for alias in names}
    columns = {}
    for index, name in enumerate(header):
        normalised = _normalise(name)
        key = by_header.get(normalised) or (aliases.get(normalised)
                                            if normalised not in by_header else None)
        if key and key not in columns.values():
            columns[index] = key
    missing = {"report_id", "referral_code", "kind"} - set(columns.values())
    if missing:
        raise UnreadableFile("file", "missing column " + ", ".join(sorted(missing))
                             + " (map your header with the column mapping)")
    return columns


def _delimiter(first_line: str) -> str:
    return max((";", ",", "\t"), key=first_line.count)


def _date(value: str) -> str:
    match = GERMAN_DATE.match(value)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def _number(value: str) -> str:
    if GERMAN_NUMBER.match(value) and "," in value or re.fullmatch(r"\d{1,3}(\.\d{3})+", value):
        return value.replace(".", "").replace(",", ".")
    return value


def _index(aliases: dict[str, list[str]]) -> dict[str, str]:
    return {_folded(name): key for key, names in aliases.items() for name in names}


KINDS, REASONS, EXAMS = (_index(KIND_ALIASES), _index(REASON_ALIASES),
                         _index(EXAM_ALIASES))


def _lookup(value: str, index: dict[str, str], otherwise: str | None = None) -> str:
    """Our code for ``value`` (an English code or a German alias); ``otherwise`` (default:
    the value itself) when it is neither, so that validation names it."""
    return index.get(_folded(value), value if otherwise is None else otherwise)


def _boolean(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    return value


def to_report(cells: dict[str, str]) -> dict[str, Any]:
    """One row's non-empty cells (by our column names) as a report object."""
    report: dict[str, Any] = {}
    skills = {}
    kind = _lookup(cells.get("kind", ""), KINDS)
    for key, value in cells.items():
        if key in DATE_COLUMNS:
            value = _date(value)
        if key in NUMBER_COLUMNS:
            report[key] = _number(value)
        elif key == "kind":
            report[key] = kind
        elif key == "date":
            report[DATE_FIELD.get(kind, "date")] = value
        elif key == "passed":
            report[key] = _boolean(value)
        elif key in SKILLS:
            skills[key] = value.upper()
        elif key in ("level_reached",):
            report[key] = value.upper()
        elif key == "exam":
            report[key] = _lookup(value, EXAMS, _normalise(value))
        elif key == "reason":
            report[key] = _lookup(value, REASONS, _normalise(value))
        else:
            report[key] = value
    if skills:
        report["skills"] = skills
    return report


class CsvList:
    """A decoded list with its header understood. :meth:`count` reads it once without
    translating (so a list that is too long or unreadable further down is refused before
    anything is stored); :meth:`rows` then yields the rows one by one, so that only a batch
    of them need be held at a time."""

    def __init__(self, content: bytes, mapping: dict[str, str]) -> None:
        self._text = decode(content)
        self._delimiter = _delimiter(self._text.split("\n", 1)[0])
        reader = self._reader()
        try:
            header = next(reader)
        except StopIteration:
            raise UnreadableFile("file", "is empty") from None
        except csv.Error as error:
            raise UnreadableFile("file", f"is not readable as CSV ({error})") from None
        self._columns = _columns(header, mapping)

    def _reader(self) -> Iterator[list[str]]:
        return csv.reader(io.StringIO(self._text), delimiter=self._delimiter)

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, values) of every non-blank data row."""
        reader = self._reader()
        try:
            next(reader, None)
            for values in reader:
                if any(value.strip() for value in values):
                    yield reader.line_num, values
        except csv.Error as error:
            raise UnreadableFile("file", f"row {reader.line_num} is not readable as CSV "
                                         f"({error})") from None

    def count(self) -> int:
        """The number of data rows; raises :class:`UnreadableFile` for an unreadable row."""
        return sum(1 for _ in self._records())

    def rows(self) -> Iterator[Row]:
        """Every data row of the file as a report object (blank lines skipped)."""
        columns = self._columns
        for number, values in self._records():
            cells = {columns[index]: value.strip() for index, value in enumerate(values)
                     if index in columns and value.strip()}
            yield Row(number=number, report=to_report(cells))

