"""Reading providers' own lists — CSV or Excel — into report objects, before the one
validation path.

Providers keep their lists in Excel as often as anywhere else, so a list is read from either
source by the same pipeline: a **source** yields the header and the rows as text cells (CSV:
UTF-8 with or without BOM, Windows-1252/Latin-1, semicolons, commas or tabs; Excel ``.xlsx``:
see :mod:`ankommen.progress.adapters.xlsx_rows`), and :class:`ReportList` understands the
header (German or English names, :mod:`ankommen.progress.adapters.list_vocabulary`) and turns
every row into a report object: German dates (``31.10.2026``), decimal commas, and German
words for kinds, reasons, exams, levels and yes/no. Unknown columns are ignored (lists carry
remarks, room numbers …); nothing here decides whether a report is acceptable, it only
translates. A column mapping (API only) names the columns of lists whose headers are the
provider's own.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from ankommen.progress.adapters import list_vocabulary as vocabulary

#: Which report field the generic ``date`` column fills, per kind.
DATE_FIELD = {"enrolment": "started_on", "interruption": "interrupted_on",
              "resumption": "resumed_on", "exam_result": "taken_on",
              "completion": "completed_on", "discontinuation": "discontinued_on"}
SKILLS = ("listening", "reading", "writing", "speaking")
NUMBER_COLUMNS = ("hours_attended", "hours_planned")
DATE_COLUMNS = ("date", "period_start", "period_end")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
#: A date cell Excel shows as a number (its serial day count, 1900 date system) when the
#: cell lost its date format: 2000-01-01 to 2099-12-31.
EXCEL_SERIAL = re.compile(r"^(3[6-9]\d{3}|[4-6]\d{4}|7[0-3]\d{3})(\.0+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
GERMAN_NUMBER = re.compile(r"^\d{1,3}(\.\d{3})*(,\d+)?$|^\d+,\d+$")
#: The fields of a report that are not a column of their own, by the column they come from.
FIELD_COLUMN = {**{name: "date" for name in DATE_FIELD.values()},
                **{f"skills.{skill}": skill for skill in SKILLS}, "skills": "listening"}


class UnreadableFile(ValueError):
    """The upload is not a list we can read at all. ``field`` names what is wrong (``file``,
    ``mapping``), ``reason`` says why in English (API), ``text`` and ``values`` in the
    pages' catalogue."""

    def __init__(self, field: str, reason: str, text: str = "imports.unreadable.file",
                 **values: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.text = text
        self.values = values


class UploadTooLarge(UnreadableFile):
    """The upload exceeds the size we read at all (answered 413)."""


@dataclass(frozen=True)
class Row:
    #: The row's number as a spreadsheet shows it (the header is row 1).
    number: int
    report: dict[str, Any]


#: A source: the list's header and its non-blank rows as (row number, text cells). Each call
#: reads the file anew (a list is read twice: counted, then translated batch by batch).
Records = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class Source:
    header: list[str]
    records: Callable[[], Records]
    #: The number of data rows, where the source can tell it faster than by reading the
    #: records (raising :class:`UnreadableFile` where they cannot be read).
    count: Callable[[], int] | None = None


def decode(content: bytes) -> str:
    """UTF-8 if it is UTF-8, otherwise the Windows code page Excel writes."""
    if b"\x00" in content:
        # Text in UTF-8 or Windows-1252 never holds NUL bytes: UTF-16 ("Unicode text" in
        # Excel) or a binary file rather than a CSV list.
        raise UnreadableFile("file", "is not a CSV text file in UTF-8 or Windows-1252 (UTF-16 "
                                     "text?); save it as \"CSV UTF-8\" or as an Excel workbook "
                                     "(.xlsx)", "imports.unreadable.encoding")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            return content.decode("latin-1")


def csv_source(content: bytes) -> Source:
    """A CSV list as a :class:`Source`."""
    text = decode(content)
    delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)

    def reader() -> Any:
        return csv.reader(io.StringIO(text), delimiter=delimiter)

    try:
        header = next(reader())
    except StopIteration:
        raise UnreadableFile("file", "is empty", "imports.unreadable.empty") from None
    except csv.Error as error:
        raise UnreadableFile("file", f"is not readable as CSV ({error})") from None

    def records() -> Records:
        rows = reader()
        try:
            next(rows, None)
            for values in rows:
                if any(value.strip() for value in values):
                    yield rows.line_num, values
        except csv.Error as error:
            raise UnreadableFile("file", f"row {rows.line_num} is not readable as CSV "
                                         f"({error})", "imports.unreadable.row",
                                 row=rows.line_num) from None

    return Source(header, records)


def parse_mapping(text: str | None) -> dict[str, str]:
    """``{"referral_code": "Teilnehmer-Code", …}``: our column name → the list's header."""
    if not text or not text.strip():
        return {}
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError:
        raise UnreadableFile("mapping", "must be a JSON object of column → header",
                             "imports.unreadable.mapping") from None
    # A JSON object's keys are strings; its values are whatever the text says.
    if not isinstance(parsed, dict) or not all(
            isinstance(value, str) for value in cast(dict[str, object], parsed).values()):
        raise UnreadableFile("mapping", "must be a JSON object of column → header",
                             "imports.unreadable.mapping")
    mapping = cast(dict[str, str], parsed)
    unknown = sorted(set(mapping) - set(vocabulary.COLUMN_LABELS))
    if unknown:
        raise UnreadableFile("mapping", f"unknown column {unknown[0]!r}; known: "
                                        + ", ".join(vocabulary.COLUMN_LABELS),
                             "imports.unreadable.mapping")
    return mapping


def _columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Column index → our column name: the mapping's headers first, then the vocabulary's."""
    by_header = {vocabulary.folded(value): key for key, value in mapping.items()}
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        name_folded = vocabulary.folded(name)
        key = by_header[name_folded] if name_folded in by_header else vocabulary.column_of(name)
        if key and key not in columns.values():
            columns[index] = key
    missing = [key for key in vocabulary.REQUIRED_COLUMNS if key not in columns.values()]
    if missing:
        labels = ", ".join(vocabulary.COLUMN_LABELS[key] for key in missing)
        raise UnreadableFile("file", "missing column " + ", ".join(missing)
                             + " (name it as in the template, or map your header with the "
                               "column mapping)", "imports.unreadable.missing_columns",
                             columns=labels)
    return columns


def _date(value: str) -> str:
    """``31.10.2026``, ``31.10.26`` and Excel's serial ``46326`` as ISO dates; anything else
    as it is (validation names it)."""
    match = GERMAN_DATE.match(value)
    if match:
        day, month, year = match.groups()
        return f"{2000 + int(year) if len(year) == 2 else year}-{int(month):02d}-{int(day):02d}"
    serial = EXCEL_SERIAL.match(value)
    if serial:
        return (EXCEL_EPOCH + timedelta(days=int(serial.group(1)))).isoformat()
    return value


def _number(value: str) -> str:
    if GERMAN_NUMBER.match(value) and "," in value or re.fullmatch(r"\d{1,3}(\.\d{3})+", value):
        return value.replace(".", "").replace(",", ".")
    return value


def _code(kind: str, value: str) -> str:
    """Our code for a word; the word itself (normalised) when unknown, so that validation
    refuses it and names the column."""
    return vocabulary.code_of(kind, value) or vocabulary.folded(value) or value


def to_report(cells: dict[str, str]) -> dict[str, Any]:
    """One row's non-empty cells (by our column names) as a report object."""
    report: dict[str, Any] = {}
    skills = {}
    kind = _code("report_kind", cells.get("kind", ""))
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
            found = vocabulary.boolean_of(value)
            report[key] = value if found is None else found
        elif key in SKILLS:
            skills[key] = vocabulary.code_of("german_level", value) or value.upper()
        elif key == "level_reached":
            report[key] = vocabulary.code_of("german_level", value) or value.upper()
        elif key == "exam":
            report[key] = _code("exam_type", value)
        elif key == "reason":
            report[key] = _code("reason", value)
        else:
            report[key] = value
    if skills:
        report["skills"] = skills
    return report


class ReportList:
    """A list (from a CSV or Excel source) with its header understood. :meth:`count` reads it
    once without translating (so a list that is too long or unreadable further down is
    refused before anything is stored); :meth:`rows` then yields the rows one by one, so that
    only a batch of them need be held at a time."""

    def __init__(self, source: Source, mapping: dict[str, str]) -> None:
        self._source = source
        self._columns = _columns(source.header, mapping)
        #: Our column → the list's own header for it (refusals name the column so).
        self.headers = {key: source.header[index].strip()
                        for index, key in self._columns.items()}

    def count(self) -> int:
        """The number of data rows; raises :class:`UnreadableFile` for an unreadable row."""
        if self._source.count is not None:
            return self._source.count()
        return sum(1 for _ in self._source.records())

    def rows(self) -> Iterator[Row]:
        """Every data row of the file as a report object (blank rows skipped)."""
        columns = self._columns
        for number, values in self._source.records():
            cells = {columns[index]: value.strip() for index, value in enumerate(values)
                     if index in columns and value.strip()}
            yield Row(number=number, report=to_report(cells))


def column_of_field(field: str) -> str:
    """The list column a report field (as a refusal names it) comes from."""
    return FIELD_COLUMN.get(field, field)
