"""CSV upload of providers' own lists: Excel exports (Windows-1252/Latin-1, semicolons,
decimal commas, German dates and names) and UTF-8, with a row-level result; uploading the same
file again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ankommen.progress.adapters.tables import messaging, reports
from ankommen.progress.service.csv_import import import_csv
from ankommen.shared.identity.auth import Role
from tests.progress.integration.catalogue import (
    STARTS_ON,
    TODAY,
    progress_with_placements,
    referral_code,
)
from tests.support.services import RunningService, in_process, settings_for, token

HEADER = ("Meldungs-ID;Vermittlungscode;Art;Datum;Von;Bis;Stunden anwesend;Stunden geplant;"
          "Prüfung;Bestanden;Niveau;Kursort")


def german(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def on(offset: int) -> str:
    return german(STARTS_ON + timedelta(days=offset))


def row(report_id: str, code: str, kind: str, *, datum: str = "", von: str = "",
        bis: str = "", anwesend: str = "", geplant: str = "", exam: str = "",
        bestanden: str = "", niveau: str = "") -> str:
    return ";".join([report_id, code, kind, datum, von, bis, anwesend, geplant, exam,
                     bestanden, niveau, "Lüneburger Straße, Raum 3"])


def excel_list(codes: list[str], foreign_code: str) -> tuple[bytes, dict[int, str]]:
    """1,000 rows, 37 of them invalid; returns the file and the invalid rows' expected
    field by row number (the header is row 1)."""
    lines = [HEADER]
    for index, code in enumerate(codes[:240]):
        lines += [row(f"E{index}", code, "Anmeldung", datum=on(1)),
                  row(f"A{index}a", code, "Anwesenheit", von=on(2), bis=on(30),
                      anwesend="30,5", geplant="40"),
                  row(f"A{index}b", code, "Anwesenheit", von=on(31), bis=on(60),
                      anwesend="38", geplant="40,0"),
                  row(f"X{index}", code, "Prüfung", datum=on(61), exam="DTZ",
                      bestanden="ja", niveau="B1")]
    lines += [row(f"E{index}", code, "Anmeldung", datum=on(1))
              for index, code in enumerate(codes[240:243], start=240)]
    expected: dict[int, str] = {}

    def invalid(line: str, field: str) -> None:
        lines.append(line)
        expected[len(lines)] = field

    future = german(TODAY + timedelta(days=5))
    before = german(STARTS_ON - timedelta(days=10))
    for number in range(10):
        invalid(row(f"F{number}", foreign_code, "Anmeldung", datum=on(1)), "referral_code")
    for number in range(7):
        invalid(row(f"T{number}", codes[number], "Anwesenheit", von=future, bis=future,
                    anwesend="1", geplant="2"), "period_start")
    for number in range(5):
        invalid(row(f"H{number}", codes[number], "Anwesenheit", von=on(61), bis=on(62),
                    anwesend="45,5", geplant="40"), "hours_attended")
    for number in range(5):
        invalid(row(f"L{number}", codes[number], "Prüfung", datum=on(62), exam="DTZ",
                    bestanden="ja", niveau="B7"), "level_reached")
    for number in range(5):
        invalid(row(f"K{number}", codes[number], "Urlaub", datum=on(62)), "kind")
    for number in range(5):
        invalid(row(f"B{number}", codes[number], "Anwesenheit", von=before, bis=on(3),
                    anwesend="1", geplant="2"), "period_start")
    assert len(lines) == 1001
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), expected


async def counts(progress: RunningService) -> tuple[int, int]:
    async with progress.runtime.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(reports))
        outbox = await session.scalar(select(func.count()).select_from(messaging.outbox))
    return stored, outbox


async def upload(progress: RunningService, content: bytes, provider_id: str = "vhs-a",
                 mapping: str | None = None) -> dict:
    response = await progress.client.post(
        "/reports/csv", headers=token(Role.PROVIDER, provider_id),
        files={"file": ("liste.csv", content, "text/csv")},
        data={"mapping": mapping} if mapping else None)
    assert response.status_code == 200, response.text
    return response.json()


async def test_excel_list_of_1000_rows_stores_963_lists_37_and_a_repeat_changes_nothing(
        kafka, databases):
    codes = [referral_code() for _ in range(243)]
    foreign = referral_code()
    async with progress_with_placements(kafka, databases, {"vhs-a": codes,
                                                           "vhs-b": [foreign]}) as (progress, _):
        content, expected = excel_list(codes, foreign)
        assert b"\xfc" in content  # a Latin-1 "ü", as Excel writes it

        result = await upload(progress, content)
        assert (result["rows"], result["accepted"], result["duplicates"]) == (1000, 963, 0)
        listed = {item["row"]: item["errors"][0]["field"] for item in result["rejected"]}
        assert listed == expected
        assert all(item["errors"][0]["reason"] for item in result["rejected"])
        foreign_rows = [item for item in result["rejected"] if item["referral_code"] == foreign]
        assert {item["errors"][0]["reason"] for item in foreign_rows} == {
            "not a placement in one of your courses"}
        stored, outbox = await counts(progress)
        assert stored == 963 and outbox >= 963

        again = await upload(progress, content)
        assert (again["accepted"], again["duplicates"], len(again["rejected"])) == (0, 963, 37)
        assert await counts(progress) == (stored, outbox)


async def test_a_list_read_in_small_batches_gives_the_same_row_level_result(
        kafka, sqlite_databases):
    """Uploads are stored batch by batch: reports of one participant spread over several
    batches still see each other, and rejected rows keep their row numbers."""
    codes = [referral_code() for _ in range(243)]
    foreign = referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {
            "vhs-a": codes, "vhs-b": [foreign]}) as (progress, _):
        content, expected = excel_list(codes, foreign)
        result = await import_csv(progress.runtime.uow, "vhs-a", content, batch_rows=7)
        assert (result.rows, result.accepted, result.duplicates) == (1000, 963, 0)
        assert {item.row: item.outcome.problems[0].field for item in result.rejected} == expected
        assert [item.row for item in result.rejected] == sorted(expected)
        assert (await counts(progress))[0] == 963


async def test_a_list_unreadable_near_its_end_is_refused_before_anything_is_stored(
        kafka, sqlite_databases):
    code = referral_code()
    lines = [HEADER] + [row(f"E{number}", code, "Anmeldung", datum=on(1))
                        for number in range(1_500)]
    # A cell above the csv module's field limit: row 1,502 cannot be read at all.
    lines.append(row("E-long", code, "Anmeldung", datum=on(1)) + "x" * 200_000)
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code]}) as (
            progress, _):
        answer = await progress.client.post(
            "/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
            files={"file": ("liste.csv", content, "text/csv")})
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "file"
        assert "row 1502" in answer.json()["errors"][0]["reason"]
        assert await counts(progress) == (0, 0)


async def test_utf8_list_with_commas_and_own_headers_is_read_through_the_mapping(
        kafka, sqlite_databases):
    code = referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code]}) as (
            progress, _):
        content = ("\ufeffNr,Teilnehmer,Meldung,Tag,Bemerkung\n"
                   f"m-1,{code},enrolment,{(STARTS_ON + timedelta(days=1)).isoformat()},"
                   "Größere Gruppe\n").encode()
        mapping = ('{"report_id": "Nr", "referral_code": "Teilnehmer", "kind": "Meldung", '
                   '"date": "Tag"}')
        result = await upload(progress, content, mapping=mapping)
        assert (result["accepted"], result["rejected"]) == (1, [])

        unmapped = await progress.client.post(
            "/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
            files={"file": ("liste.csv", content, "text/csv")})
        assert unmapped.status_code == 422
        assert unmapped.json()["errors"][0]["field"] == "file"


async def test_german_reason_and_exam_names_are_understood_and_misfits_named(
        kafka, sqlite_databases):
    codes = [referral_code() for _ in range(3)]
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": codes}) as (
            progress, _):
        listing = "\r\n".join([
            "Meldungs-ID;Vermittlungscode;Art;Datum;Grund;Prüfung;Bestanden;Niveau",
            *(f"G-E{index};{code};Anmeldung;{on(1)};;;;" for index, code in enumerate(codes)),
            f"G-U;{codes[0]};Unterbrechung;{on(5)};Krankheit;;;",
            f"G-P;{codes[1]};Prüfung;{on(6)};;Leben in Deutschland;ja;",
            f"G-D;{codes[1]};Abbruch;{on(7)};Ueberforderung;;;",
            f"G-X;{codes[2]};Unterbrechung;{on(8)};Umzug;;;",
            ""]).encode("cp1252")
        response = await progress.client.post(
            "/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
            files={"file": ("liste.csv", listing, "text/csv")})
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["accepted"], result["rows"]) == (6, 7)
        [refused] = result["rejected"]
        assert refused["row"] == 8 and refused["errors"][0]["field"] == "reason"
        history = (await progress.client.get(f"/participants/{codes[1]}/reports",
                                             headers=token(Role.PROVIDER, "vhs-a"))).json()
        reports_by_id = {entry["report_id"]: entry["report"] for entry in history["entries"]}
        assert reports_by_id["G-P"]["exam"] == "life_in_germany"
        assert reports_by_id["G-D"]["reason"] == "overtaxed"


async def test_lists_above_the_configured_row_and_size_limits_are_refused_as_a_whole(
        kafka, sqlite_databases):
    code = referral_code()
    lines = [HEADER] + [row(f"E{number}", code, "Anmeldung", datum=on(1)) for number in range(4)]
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    async with in_process("progress", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("progress"),
                          csv_max_rows=3, csv_max_bytes=1024) as progress:
        too_many = await progress.client.post(
            "/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
            files={"file": ("liste.csv", content, "text/csv")})
        too_large = await progress.client.post(
            "/reports/csv", headers=token(Role.PROVIDER, "vhs-a"),
            files={"file": ("liste.csv", content * 20, "text/csv")})
    assert too_many.status_code == 422
    assert too_many.json()["errors"] == [{"field": "file",
                                          "reason": "more than 3 rows; split the list"}]
    assert too_large.status_code == 413
    assert too_large.json()["errors"][0]["field"] == "file"
    assert "larger than" in too_large.json()["errors"][0]["reason"]
    defaults = settings_for("progress")
    assert (defaults.csv_max_rows, defaults.csv_max_bytes) == (100_000, 20 * 1024 * 1024)
