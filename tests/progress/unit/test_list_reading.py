"""Providers' lists read as they were meant: German and English headers and values whatever
their case, spacing or umlaut spelling; Excel workbooks (dates, numbers, formulas' saved
values, empty rows) through the same pipeline as CSV; and row ids derived from content."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from ankommen.progress.adapters import csv_rows
from ankommen.progress.adapters import list_vocabulary as vocabulary
from ankommen.progress.adapters.csv_rows import UnreadableFile, to_report
from ankommen.progress.adapters.pending_uploads import TTL, PendingUploads
from ankommen.progress.domain.problems import Problem
from ankommen.progress.entrypoints.problem_words import REASON_TEXTS, column_text, reason_text
from ankommen.progress.service.csv_import import derived_report_id, open_list
from ankommen.progress.service.reporting import parse_report
from ankommen.shared.clock import MovableClock
from ankommen.shared.web.i18n import Translator, catalogue_of


@pytest.mark.parametrize(("header", "column"), [
    ("Vermittlungscode", "referral_code"), ("  VERMITTLUNGSCODE ", "referral_code"),
    ("Referenzcode", "referral_code"), ("Referral code", "referral_code"),
    ("Art der Meldung", "kind"), ("Meldungsart", "kind"), ("art  der-meldung", "kind"),
    ("Datum", "date"), ("Zeitraum von", "period_start"), ("Zeitraum bis", "period_end"),
    ("Anwesende Stunden", "hours_attended"), ("Geplante Stunden", "hours_planned"),
    ("Grund", "reason"), ("Prüfung", "exam"), ("Pruefung", "exam"), ("Bestanden", "passed"),
    ("Erreichtes Niveau", "level_reached"), ("Meldungs-ID", "report_id"),
    ("meldungs id", "report_id"), ("Hours attended", "hours_attended"), ("Raum", None)])
def test_headers_in_german_and_english_whatever_their_spelling(header, column):  # noqa: ANN001
    assert vocabulary.column_of(header) == column


@pytest.mark.parametrize(("kind", "word", "code"), [
    ("report_kind", "Anwesenheit", "attendance"), ("report_kind", "Prüfung", "exam_result"),
    ("report_kind", "Kursbeginn (Anmeldung)", "enrolment"),  # the pages' word
    ("report_kind", "  anmeldung ", "enrolment"), ("report_kind", "Attendance", "attendance"),
    ("report_kind", "Rücknahme einer Meldung", "retraction"),
    ("reason", "Krankheit", "illness"), ("reason", "Überforderung", "overtaxed"),
    ("reason", "ueberfordert", "overtaxed"), ("reason", "Kinderbetreuung", "childcare"),
    ("exam_type", "Leben in Deutschland", "life_in_germany"),
    ("exam_type", "Berufsbezogene Prüfung (DTB, telc Beruf)", "job_related"),
    ("exam_type", "dtz", "dtz"), ("german_level", "b1", "B1"),
    ("german_level", "A0 (noch kein Deutsch)", "A0"), ("report_kind", "Urlaub", None)])
def test_values_by_the_pages_words_and_providers_short_forms(kind, word, code):  # noqa: ANN001
    assert vocabulary.code_of(kind, word) == code


@pytest.mark.parametrize(("cell", "day"), [
    ("31.10.2026", "2026-10-31"), ("1.2.2026", "2026-02-01"), ("01.02.26", "2026-02-01"),
    ("2026-10-31", "2026-10-31"), ("46326", "2026-10-31"), ("46326.0", "2026-10-31"),
    ("31.13.2026", "2026-13-31"), ("gestern", "gestern")])
def test_dates_german_iso_and_excel_serials(cell, day):  # noqa: ANN001
    assert to_report({"kind": "Anmeldung", "date": cell})["started_on"] == day


def test_yes_and_no_in_german_and_english():
    assert [vocabulary.boolean_of(word) for word in ("ja", " JA", "x", "Yes", "nein",
                                                     "nicht bestanden", "vielleicht")] == [
        True, True, True, True, False, False, None]


def workbook(rows: list[list[object]], *, formulas: dict[str, tuple[str, str]] | None = None
             ) -> bytes:
    """An .xlsx with ``rows``; ``formulas``: cell → (formula, the value Excel saved)."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, (formula, _) in (formulas or {}).items():
        sheet[cell] = formula
    buffer = io.BytesIO()
    book.save(buffer)
    if not formulas:
        return buffer.getvalue()
    # openpyxl writes no calculated values; put in what Excel would have saved.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, (_, value) in formulas.items():
                    text = re.sub(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/>',
                                  rf'<c r="{cell}" t="str"\1><f>\2</f><v>{value}</v>', text)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_an_excel_list_reads_dates_numbers_formulas_and_skips_empty_rows():
    content = workbook([
        ["Vermittlungscode", "Art der Meldung", "Datum", "Zeitraum von", "Zeitraum bis",
         "Anwesende Stunden", "Geplante Stunden", "Bestanden", "Bemerkung"],
        ["REF-AAAA1111", "Kursbeginn (Anmeldung)", datetime(2026, 10, 1), None, None, None,
         None, None, "Raum 3"],
        [],
        [None, None, None, None, None, None, None, None, None],
        ["REF-AAAA1111", "Anwesenheit", None, date(2026, 10, 5), "31.10.2026", 30.5, 40, None,
         None],
        [None, "Prüfung", "02.11.2026", None, None, None, None, True, None],
    ], formulas={"A6": ('=A2', "REF-AAAA1111")})
    listing = open_list(content)
    assert listing.count() == 3
    rows = list(listing.rows())
    assert [row.number for row in rows] == [2, 5, 6]
    assert rows[0].report == {"referral_code": "REF-AAAA1111", "kind": "enrolment",
                              "started_on": "2026-10-01"}
    assert rows[1].report == {"referral_code": "REF-AAAA1111", "kind": "attendance",
                              "period_start": "2026-10-05", "period_end": "2026-10-31",
                              "hours_attended": "30.5", "hours_planned": "40"}
    # The formula counts with the value Excel saved, never as formula text.
    assert rows[2].report == {"referral_code": "REF-AAAA1111", "kind": "exam_result",
                              "taken_on": "2026-11-02", "passed": True}
    assert listing.headers["kind"] == "Art der Meldung"


def test_workbooks_with_macros_or_in_old_formats_are_refused_with_a_reason():
    plain = workbook([["Vermittlungscode", "Meldungsart"]])
    with_macros = io.BytesIO()
    with zipfile.ZipFile(with_macros, "w") as target, zipfile.ZipFile(io.BytesIO(plain)) as src:
        for item in src.infolist():
            target.writestr(item, src.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    for content, text in ((with_macros.getvalue(), "imports.unreadable.macros"),
                           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
                            "imports.unreadable.xls"),
                           (b"PK\x03\x04" + b"\x00" * 64, "imports.unreadable.xlsx")):
        with pytest.raises(UnreadableFile) as refused:
            open_list(content)
        assert refused.value.text == text and refused.value.field == "file"


def test_a_list_without_referral_code_or_kind_names_the_german_columns():
    with pytest.raises(UnreadableFile) as refused:
        open_list(b"Datum;Bemerkung\n01.10.2026;x\n")
    assert refused.value.values == {"columns": "Vermittlungscode, Meldungsart"}


def test_derived_ids_depend_on_provider_and_content_only():
    def report(**changes: object):  # noqa: ANN202
        raw = {"report_id": "x", "referral_code": "REF-AAAA1111", "kind": "attendance",
               "period_start": "2026-10-01", "period_end": "2026-10-31",
               "hours_attended": "30.5", "hours_planned": 40, **changes}
        parsed, problems = parse_report(raw)
        assert parsed is not None, problems
        return parsed

    first = derived_report_id("vhs-a", report())
    assert first == derived_report_id("vhs-a", report(report_id="other", hours_planned="40.0"))
    assert first.startswith("liste-") and len(first) <= 64
    assert parse_report({"report_id": first, "referral_code": "REF-AAAA1111",
                         "kind": "enrolment", "started_on": "2026-10-01"})[0] is not None
    assert first != derived_report_id("vhs-b", report())
    assert first != derived_report_id("vhs-a", report(hours_attended=31))


def test_pending_lists_are_bound_to_their_provider_bounded_and_expire_by_the_clock():
    clock = MovableClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    pending = PendingUploads(clock, max_total_bytes=100, max_entries=3)
    first = pending.put("vhs-a", b"a" * 40, "a.xlsx")
    assert pending.get(first, "vhs-b") is None  # another provider finds nothing
    pending.remove(first, "vhs-b")
    assert pending.get(first, "vhs-a").content == b"a" * 40
    # One pending list per provider: a new upload replaces it.
    second = pending.put("vhs-a", b"b" * 40, "b.xlsx")
    assert pending.get(first, "vhs-a") is None and len(pending) == 1
    # Room: the oldest list goes when the bytes would exceed the bound.
    pending.put("vhs-b", b"c" * 40, "c.csv")
    pending.put("vhs-c", b"d" * 40, "d.csv")
    assert pending.get(second, "vhs-a") is None and len(pending) == 2
    clock.advance(TTL + timedelta(seconds=1))
    assert len(pending) == 0


def test_every_text_a_list_refusal_names_is_in_both_languages():
    """Keys not written as ``t("…")`` (the page-texts test cannot extract them): the reasons,
    columns and unreadable-file texts."""
    catalogue = catalogue_of("ankommen.shared.web", "ankommen.progress")
    source = "".join(path.read_text() for path in Path(csv_rows.__file__).parent.parent.rglob(
        "*.py"))
    keys = set(re.findall(r'"(imports\.[a-z_.]+[a-z])"', source))
    keys |= {key for _, key in REASON_TEXTS}
    keys |= {f"imports.column.{column}" for column in vocabulary.COLUMN_LABELS}
    assert len(keys) > 40
    missing = sorted(key for key in keys if set(catalogue.get(key, {})) != {"de", "en"})
    assert missing == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_refusals_read_in_words_never_in_english_field_names(language):  # noqa: ANN001
    t = Translator(catalogue_of("ankommen.shared.web", "ankommen.progress"), language,
                   strict=True)
    _, problems = parse_report({"report_id": "r", "referral_code": "REF-AAAA1111",
                                "kind": "attendance", "period_start": "31.02.2026",
                                "hours_attended": "x", "hours_planned": 4000})
    assert {problem.field for problem in problems} >= {"period_start", "period_end",
                                                       "hours_attended", "hours_planned"}
    shown = [reason_text(problem, t) for problem in problems]
    headers = {"period_start": "Von"}
    columns = [column_text(problem.field, headers, t) for problem in problems]
    assert "Von" in columns and "period_end" not in columns and "hours_planned" not in columns
    assert not [text for text in shown if "Input should" in text or "_" in text], shown
    for reason, _ in REASON_TEXTS:
        assert "_" not in reason_text(Problem("kind", reason + " (details)"), t)
