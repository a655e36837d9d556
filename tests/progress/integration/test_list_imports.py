"""A provider's Excel or CSV list, the way county staff work with it: a template per course,
a preview before anything is stored ("Übernehmen" stores the same rows, "Abbrechen"
nothing), refused rows named in German by their column, the same list again changing
nothing, and the API's ``dry_run`` with the same answer."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from ankommen.shared.identity.auth import Role
from tests.progress.integration.catalogue import STARTS_ON, progress_with_placements, referral_code
from tests.progress.integration.list_pages import CSRF_FIELD, UPLOAD_FIELD, preview
from tests.progress.integration.test_attendance_periods import signed_in
from tests.progress.integration.test_csv_upload import counts
from tests.support.roster_xlsx import roster_xlsx
from tests.support.services import token

XLSX = "roster.xlsx"


async def test_preview_then_commit_stores_the_same_rows_and_a_repeat_changes_nothing(
        kafka, sqlite_databases):
    codes = [referral_code() for _ in range(3)]
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": codes}) as (
            progress, _):
        roster = roster_xlsx(codes, STARTS_ON + timedelta(days=1))
        csrf = await signed_in(progress.client, "/upload")

        shown = await preview(progress.client, csrf, roster.content, XLSX)
        assert shown.status_code == 200, shown.text
        assert "4 Zeilen: 3 zu speichern, 0 schon vorhanden, 1 abgelehnt" in shown.text
        assert (f'<th scope="row" rowspan="1">{roster.bad_row}</th>' in shown.text
                and f"<td>{roster.bad_column}</td><td>mehr anwesende als geplante Stunden</td>"
                in shown.text)
        assert "hours_attended" not in shown.text and "more than" not in shown.text
        assert await counts(progress) == (0, 0)  # a preview stores nothing

        # "Abbrechen": nothing stored, and the id is spent.
        upload_id = UPLOAD_FIELD.search(shown.text).group(1)
        csrf = CSRF_FIELD.search(shown.text).group(1)
        cancelled = await progress.client.post("/upload/cancel", data={
            "csrftoken": csrf, "upload": upload_id})
        assert "nichts gespeichert" in cancelled.text
        spent = await progress.client.post("/upload/commit", data={
            "csrftoken": csrf, "upload": upload_id})
        assert spent.status_code == 410 and "abgelaufen" in spent.text
        assert await counts(progress) == (0, 0)

        # "Übernehmen": the rows the preview promised.
        shown = await preview(progress.client, csrf, roster.content, XLSX)
        stored = await progress.client.post("/upload/commit", data={
            "csrftoken": CSRF_FIELD.search(shown.text).group(1),
            "upload": UPLOAD_FIELD.search(shown.text).group(1)})
        assert stored.status_code == 200, stored.text
        assert "4 Zeilen: 3 gespeichert, 0 schon vorhanden, 1 abgelehnt" in stored.text
        assert (await counts(progress))[0] == 3

        # The same list again (no report ids: derived from the rows) is all duplicates.
        again = await preview(progress.client, csrf, roster.content, XLSX)
        assert "4 Zeilen: 0 zu speichern, 3 schon vorhanden, 1 abgelehnt" in again.text
        assert UPLOAD_FIELD.search(again.text) is None  # nothing to take over
        # … and the API says the same, for a preview and for real.
        provider = token(Role.PROVIDER, "vhs-a")
        for dry_run in ("true", "false"):
            answer = await progress.client.post(
                f"/reports/csv?dry_run={dry_run}", headers=provider,
                files={"file": (XLSX, roster.content)})
            result = answer.json()
            assert (result["dry_run"], result["rows"], result["accepted"],
                    result["duplicates"]) == (dry_run == "true", 4, 0, 3), answer.text
            assert [(item["row"], item["errors"][0]["field"]) for item in result["rejected"]
                    ] == [(roster.bad_row, "hours_attended")]
        assert (await counts(progress))[0] == 3


async def test_the_api_preview_stores_nothing_and_foretells_the_commit(kafka, sqlite_databases):
    codes = [referral_code() for _ in range(2)]
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": codes}) as (
            progress, _):
        roster = roster_xlsx(codes, STARTS_ON + timedelta(days=1))
        provider = token(Role.PROVIDER, "vhs-a")
        answers = [(await progress.client.post(
            f"/reports/csv?dry_run={dry_run}", headers=provider,
            files={"file": (XLSX, roster.content)})).json() for dry_run in ("true", "false")]
        assert answers[0] == {**answers[1], "dry_run": True}
        assert answers[1]["accepted"] == 2 and (await counts(progress))[0] == 2


async def test_templates_of_own_courses_only_and_they_read_back(kafka, sqlite_databases):
    codes, foreign = [referral_code() for _ in range(2)], referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {
            "vhs-a": codes, "vhs-b": [foreign]}) as (progress, _):
        csrf = await signed_in(progress.client, "/upload")
        page = (await progress.client.get("/upload")).text
        own_template = page.split('href="/courses/')[1].split('"')[0]
        course_id = own_template.split("/")[0]
        assert own_template.endswith("template.xlsx")
        workbook = await progress.client.get(f"/courses/{course_id}/template.xlsx")
        assert workbook.status_code == 200
        assert "attachment" in workbook.headers["content-disposition"]
        book = load_workbook(io.BytesIO(workbook.content))
        assert book.sheetnames[:2] == ["Meldungen", "Hinweise"]
        sheet = book["Meldungen"]
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        assert rows[0][:4] == ("Vermittlungscode", "Meldungsart", "Datum", "Zeitraum von")
        assert sorted(row[0] for row in rows[1:]) == sorted(codes)
        assert all(cell is None for row in rows[1:] for cell in row[1:])  # nothing else
        lists = {str(item.sqref).split(":")[0][0] for item in
                 sheet.data_validations.dataValidation}
        assert {"B", "H", "I", "J", "K"} <= lists  # kind, reason, exam, passed, level
        hints = " ".join(str(cell) for row in book["Hinweise"].iter_rows(values_only=True)
                         for cell in row if cell)
        assert "Leben in Deutschland" in hints and "TT.MM.JJJJ" in hints

        # Filled in with the drop-downs' words, it reads back.
        day = STARTS_ON + timedelta(days=1)
        for row in range(2, 2 + len(codes)):
            sheet.cell(row, 2, "Kursbeginn (Anmeldung)")
            sheet.cell(row, 3, day)
        filled = io.BytesIO()
        book.save(filled)
        shown = await preview(progress.client, csrf, filled.getvalue(), XLSX)
        assert "2 Zeilen: 2 zu speichern" in shown.text, shown.text

        listing = await progress.client.get(f"/courses/{course_id}/template.csv")
        assert listing.content.startswith("\ufeffVermittlungscode;Meldungsart".encode())
        assert all(code in listing.text for code in codes)

        foreign_course = (await progress.client.get(
            "/participants", headers=token(Role.PROVIDER, "vhs-b"))).json()[0]["course_id"]
        for suffix in ("xlsx", "csv"):
            refused = await progress.client.get(f"/courses/{foreign_course}/template.{suffix}")
            assert refused.status_code == 404
            assert refused.headers["content-type"].startswith("text/html")
            assert foreign not in refused.text
        unknown = await progress.client.get("/courses/no-such-course/template.xlsx")
        assert unknown.status_code == 404


async def test_an_oversized_list_is_a_page_in_the_form_and_413_in_the_api(
        kafka, sqlite_databases):
    code = referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code]},
                                        csv_max_bytes=2048) as (progress, _):
        content = ("Vermittlungscode;Meldungsart;Datum\r\n"
                   + f"{code};Anmeldung;01.10.2026\r\n" * 200).encode()
        csrf = await signed_in(progress.client, "/upload")
        assert "Zeilen je Datei" in (await progress.client.get("/upload")).text
        page = await preview(progress.client, csrf, content)
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")
        assert "größer als" in page.text and 'aria-describedby="upload-error"' in page.text
        api = await progress.client.post("/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
                                         files={"file": ("liste.csv", content)})
        assert api.status_code == 413
        assert api.headers["content-type"].startswith("application/problem+json")
        assert await counts(progress) == (0, 0)
