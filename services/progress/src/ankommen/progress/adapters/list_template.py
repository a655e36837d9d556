"""The downloadable list template of one course: the columns a provider fills in, German
headers, one row per participant with the referral code already there (never a name).

``.xlsx``: sheet "Meldungen" with the columns, date cells formatted ``TT.MM.JJJJ``, and
drop-down lists (Excel data validation) for kind, reason, exam, passed and levels with the
words the pages show; sheet "Hinweise" explains each column and its allowed values in words;
the drop-downs' values stand on a hidden sheet "Auswahl" (a literal list may not hold the
commas some words have). ``.csv``: the same columns and rows, semicolon-separated, UTF-8 with
BOM so that Excel opens umlauts correctly. What the template writes, the upload reads back
(:mod:`ankommen.progress.adapters.list_vocabulary`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ankommen.progress.adapters.list_vocabulary import COLUMN_LABELS, words_of
from ankommen.shared.spreadsheet import safe_cell

#: The template's columns, in order (the report id and corrections are for lists of
#: providers' own systems; a template row gets its id from its content).
TEMPLATE_COLUMNS = ("referral_code", "kind", "date", "period_start", "period_end",
                    "hours_attended", "hours_planned", "reason", "exam", "passed",
                    "level_reached")
DATE_COLUMNS = ("date", "period_start", "period_end")
#: Column → the kind of words its drop-down offers.
CHOICE_COLUMNS = {"kind": "report_kind", "reason": "reason", "exam": "exam_type",
                  "level_reached": "german_level"}
YES_NO = ("ja", "nein")
#: Rows below the participants that still get drop-downs and date formats (more reports
#: per participant than one row).
SPARE_ROWS = 500

#: Column → (what it holds, which values) for the "Hinweise" sheet, in words.
HINTS = {
    "referral_code": "Vermittlungscode der Person (steht schon da; nicht ändern). Für weitere "
                     "Meldungen derselben Person die Zeile kopieren.",
    "kind": "Art der Meldung (Auswahlliste).",
    "date": "Datum als TT.MM.JJJJ: Kursbeginn, Unterbrechung, Wiederaufnahme, Prüfung, "
            "Abschluss oder Abbruch – je nach Meldungsart.",
    "period_start": "Nur bei Anwesenheit: erster Tag des Zeitraums (TT.MM.JJJJ).",
    "period_end": "Nur bei Anwesenheit: letzter Tag des Zeitraums (TT.MM.JJJJ).",
    "hours_attended": "Nur bei Anwesenheit: anwesende Unterrichtsstunden, z. B. 30,5.",
    "hours_planned": "Nur bei Anwesenheit: geplante Unterrichtsstunden im Zeitraum, z. B. 40.",
    "reason": "Nur bei Unterbrechung oder Abbruch: der Grund (Auswahlliste).",
    "exam": "Nur bei Prüfungsergebnis: welche Prüfung (Auswahlliste).",
    "passed": "Nur bei Prüfungsergebnis: ja oder nein.",
    "level_reached": "Bei Prüfungsergebnis oder Abschluss: erreichtes Niveau (Auswahlliste).",
}
NOTES = [
    "Eine Zeile je Meldung. Leere Zeilen werden übersprungen.",
    "Nach dem Hochladen zeigt eine Vorschau, was übernommen würde; gespeichert wird erst mit "
    "„Übernehmen“.",
    "Dieselbe Liste noch einmal hochladen ändert nichts: schon übernommene Zeilen gelten als "
    "„schon vorhanden“.",
]


def choices() -> dict[str, list[str]]:
    """Column → the words its drop-down offers (German, as the pages show them)."""
    offered = {column: list(words_of(kind).values()) for column, kind in CHOICE_COLUMNS.items()}
    offered["passed"] = list(YES_NO)
    return offered


def headers() -> list[str]:
    return [COLUMN_LABELS[column] for column in TEMPLATE_COLUMNS]


def template_csv(referral_codes: Sequence[str]) -> bytes:
    rows = [headers(), *([code] + [""] * (len(TEMPLATE_COLUMNS) - 1) for code in referral_codes)]
    return ("\ufeff" + _semicolons(rows)).encode("utf-8")


def _semicolons(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def template_xlsx(course_title: str, referral_codes: Sequence[str]) -> bytes:
    # Imported here: only a template download needs openpyxl's writer.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise RuntimeError(f"a new workbook's first sheet is a worksheet, not {sheet!r}")
    sheet.title = "Meldungen"
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for code in referral_codes:
        sheet.append([code])
    last_row = len(referral_codes) + 1 + SPARE_ROWS
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(COLUMN_LABELS[column]) + 4)
        if column in DATE_COLUMNS:
            for row in range(2, last_row + 1):
                sheet[f"{letter}{row}"].number_format = "DD.MM.YYYY"

    lists = workbook.create_sheet("Auswahl")
    lists.sheet_state = "hidden"
    for index, (column, words) in enumerate(choices().items(), start=1):
        letter = get_column_letter(index)
        lists[f"{letter}1"] = COLUMN_LABELS[column]
        for row, word in enumerate(words, start=2):
            lists[f"{letter}{row}"] = safe_cell(word)
        target = get_column_letter(TEMPLATE_COLUMNS.index(column) + 1)
        validation = DataValidation(
            type="list", formula1=f"=Auswahl!${letter}$2:${letter}${len(words) + 1}",
            allow_blank=True, showErrorMessage=True, errorTitle="Ungültiger Wert",
            error=f"Bitte einen Wert aus der Liste wählen ({COLUMN_LABELS[column]}).")
        # typeshed's openpyxl stub leaves the parameter of DataValidation.add untyped.
        validation.add(f"{target}2:{target}{last_row}")  # pyright: ignore[reportUnknownMemberType]
        sheet.add_data_validation(validation)

    hints = workbook.create_sheet("Hinweise")
    hints.append(["Kurs", safe_cell(course_title)])
    hints.append([])
    hints.append(["Spalte", "Bedeutung", "Erlaubte Werte"])
    for cell in hints[3]:
        cell.font = Font(bold=True)
    offered = choices()
    for column in TEMPLATE_COLUMNS:
        allowed = "; ".join(offered[column]) if column in offered else ""
        hints.append([COLUMN_LABELS[column], HINTS[column], safe_cell(allowed)])
    hints.append([])
    for note in NOTES:
        hints.append([note])
    hints.column_dimensions["A"].width = 22
    hints.column_dimensions["B"].width = 80
    hints.column_dimensions["C"].width = 80

    workbook.move_sheet(hints, offset=-1)  # "Hinweise" second, the hidden lists last
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
