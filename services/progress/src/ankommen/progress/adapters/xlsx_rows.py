"""An Excel workbook (``.xlsx``) as a source of a provider's list
(:class:`~ankommen.progress.adapters.csv_rows.Source`): the first sheet's rows as text cells.

Read with openpyxl in read-only mode, so rows stream and a 100,000-row sheet is never held
whole; formulas count with the value Excel last calculated and saved (never the formula
text, which is not evaluated here); date cells become ISO dates, numbers plain decimals, and
TRUE/FALSE cells yes/no. Only ``.xlsx`` workbooks are read: a workbook with macros
(``.xlsm``), the old binary format (``.xls``) and OpenDocument sheets are refused with a
reason, and so is a workbook that unpacks to far more than it weighs (a "zip bomb").
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Generator
from datetime import date, datetime, time
from typing import Any

from ankommen.progress.adapters.csv_rows import Records, Source, UnreadableFile

ZIP_MAGIC = b"PK\x03\x04"
#: The old binary Excel format (and other OLE2 compound files).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
#: Unpacked size allowed per packed byte (spreadsheets compress about 5-15 fold).
MAX_UNPACKED_RATIO = 100


def is_workbook(content: bytes) -> bool:
    """A ZIP or OLE2 file: a spreadsheet (or something else binary), not a CSV text."""
    return content.startswith((ZIP_MAGIC, OLE2_MAGIC))


def _refuse(reason: str, text: str) -> UnreadableFile:
    return UnreadableFile("file", reason, text)


def _checked(content: bytes) -> None:
    if content.startswith(OLE2_MAGIC):
        raise _refuse("is an old Excel workbook (.xls); save it as .xlsx or CSV UTF-8",
                      "imports.unreadable.xls")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse("is not a readable Excel workbook", "imports.unreadable.xlsx") from None
    if "xl/vbaProject.bin" in names:
        raise _refuse("contains macros (.xlsm); save it as an Excel workbook (.xlsx) without "
                      "macros", "imports.unreadable.macros")
    if "xl/workbook.xml" not in names:
        raise _refuse("is not an Excel workbook (.xlsx); save it as .xlsx or CSV UTF-8",
                      "imports.unreadable.xlsx")
    if unpacked > MAX_UNPACKED_RATIO * max(len(content), 1024):
        raise _refuse("unpacks to far more than it weighs; save it anew",
                      "imports.unreadable.xlsx")


def cell_text(value: Any) -> str:
    """One cell as the text a CSV list would hold (dates ISO, numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def xlsx_source(content: bytes) -> Source:
    """The first sheet of an ``.xlsx`` workbook as a :class:`Source`."""
    _checked(content)
    # Imported here: a process that never reads a workbook does not load openpyxl.
    from openpyxl import load_workbook

    def sheet_rows() -> Generator[tuple[int, list[str]], None, None]:
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True,
                                     keep_links=False)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise _refuse(f"is not a readable Excel workbook ({type(error).__name__})",
                          "imports.unreadable.xlsx") from None
        try:
            sheet = workbook.worksheets[0]
            # Some programs save a wrong sheet size ("A1"); read every row there is.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                if any(cell.strip() for cell in cells):
                    yield number, cells
        finally:
            workbook.close()

    rows = sheet_rows()
    first = next(rows, None)
    rows.close()
    if first is None:
        raise UnreadableFile("file", "is empty", "imports.unreadable.empty")
    _, header = first
    sheet_path = _first_sheet_path(content)

    def records() -> Records:
        found = sheet_rows()
        next(found, None)
        yield from found

    def count() -> int:
        if sheet_path is None:
            return sum(1 for _ in records())
        return _count_filled_rows(content, sheet_path) - 1

    return Source(header, records, count)


SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _first_sheet_path(content: bytes) -> str | None:
    """The first sheet's file in the archive (as openpyxl found it), if it says."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, keep_links=False)
    try:
        path = getattr(workbook.worksheets[0], "_worksheet_path", None)
    finally:
        workbook.close()
    return path if isinstance(path, str) else None


def _count_filled_rows(content: bytes, sheet_path: str) -> int:
    """Rows of the sheet with at least one value, by a plain streaming scan of its XML:
    the first pass only counts (the limit), and openpyxl's cell conversion would make it as
    slow as the reading pass. A damaged sheet is refused here, before anything is stored."""
    from xml.etree.ElementTree import ParseError, iterparse

    value_tags = (SHEET_NS + "v", SHEET_NS + "t")
    found = 0
    filled = False
    try:
        with zipfile.ZipFile(io.BytesIO(content)).open(sheet_path) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if element.tag in value_tags:
                    filled = filled or bool(element.text and element.text.strip())
                elif element.tag == SHEET_NS + "row":
                    found += filled
                    filled = False
                    element.clear()
    except (ParseError, KeyError, zipfile.BadZipFile):
        raise _refuse("is not a readable Excel workbook", "imports.unreadable.xlsx") from None
    return found
