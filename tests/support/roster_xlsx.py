"""An Excel roster as a provider keeps it: German headers as in the course template, an
enrolment row per referral code (the date as a real Excel date cell, no report id), and one
bad row at the end (hours attended above hours planned) that must be refused in German while
the others are stored. Used by the list tests and the provider-month browser test."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HEADERS = ["Vermittlungscode", "Meldungsart", "Datum", "Zeitraum von", "Zeitraum bis",
           "Anwesende Stunden", "Geplante Stunden", "Bemerkung"]


@dataclass(frozen=True)
class Roster:
    content: bytes
    #: The bad row's number as Excel shows it (the header is row 1).
    bad_row: int
    #: The German header of the column the bad row is refused for.
    bad_column: str = "Anwesende Stunden"


def roster_xlsx(referral_codes: Sequence[str], started_on: date) -> Roster:
    """Enrolments of ``referral_codes`` on ``started_on``, then an attendance of the first
    code with 45 of 40 hours (refused)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Meldungen"
    sheet.append(HEADERS)
    for code in referral_codes:
        sheet.append([code, "Kursbeginn (Anmeldung)", started_on, None, None, None, None,
                      "Raum 3"])
    sheet.append([referral_codes[0], "Anwesenheit", None, started_on, started_on, 45, 40, ""])
    for row in sheet.iter_rows(min_row=2):
        for cell in row[2:5]:
            cell.number_format = "DD.MM.YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Roster(buffer.getvalue(), bad_row=len(referral_codes) + 2)
