"""CSV cells that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read by Excel and
LibreOffice as a formula (``=HYPERLINK(...)`` sends data elsewhere on a click, DDE runs
commands). Every CSV export of ankommen writes its text cells through :func:`safe_cell`,
which prefixes such cells with an apostrophe (OWASP's advice): the text stays readable and is
shown, not evaluated. Numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]], *, lineterminator: str = "\r\n") -> str:
    """``rows`` as CSV, every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
