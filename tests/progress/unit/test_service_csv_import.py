"""A provider's list (service/csv_import.py) through the fakes: one unit per batch, a preview
that commits nothing, the same list again all duplicates, a list too long refused before
anything is written."""

from __future__ import annotations

import pytest

from ankommen.progress.adapters.csv_rows import UnreadableFile
from ankommen.progress.service.csv_import import DERIVED_PREFIX, import_csv
from tests.progress.unit.seeded import CODE, seeded

HEADER = "Meldungs-ID;Vermittlungscode;Art;Datum;Von;Bis;Stunden anwesend;Stunden geplant"
LIST = "\n".join([
    HEADER,
    f"E1;{CODE};Anmeldung;01.09.2026;;;;",
    f";{CODE};Anwesenheit;;01.10.2026;31.10.2026;30,5;40",
    f"K1;{CODE};Urlaub;02.09.2026;;;;",
    "F1;REF-9999;Anmeldung;01.09.2026;;;;",
]).encode("cp1252")


async def test_a_list_is_stored_batch_by_batch_with_a_result_per_row():
    units = await seeded()
    result = await import_csv(units, "vhs-a", LIST, batch_rows=2)
    assert (result.rows, result.accepted, result.duplicates) == (4, 2, 0)
    assert [(item.row, item.outcome.problems[0].field) for item in result.rejected] == [
        (4, "kind"), (5, "referral_code")]
    assert units.database.commits == 2
    stored = [row.report.report_id for row in units.database.tables.reports]
    assert stored[0] == "E1" and stored[1].startswith(DERIVED_PREFIX)
    assert sorted(row.refused.report_id or "" for row in units.database.tables.refused) == [
        "F1", "K1"]


async def test_the_same_list_again_is_all_duplicates():
    units = await seeded()
    await import_csv(units, "vhs-a", LIST)
    published = len(units.published)
    again = await import_csv(units, "vhs-a", LIST)
    assert (again.accepted, again.duplicates, len(again.rejected)) == (0, 2, 2)
    assert len(units.database.tables.reports) == 2 and len(units.published) == published


async def test_a_preview_answers_as_storing_would_and_commits_nothing():
    units = await seeded()
    preview = await import_csv(units, "vhs-a", LIST, batch_rows=2, dry_run=True)
    assert (preview.dry_run, preview.accepted, len(preview.rejected)) == (True, 2, 2)
    assert units.database.commits == 0
    assert units.database.tables.reports == [] and units.published == []


async def test_a_list_longer_than_the_limit_is_refused_before_anything_is_written():
    units = await seeded()
    with pytest.raises(UnreadableFile):
        await import_csv(units, "vhs-a", LIST, max_rows=3)
    assert units.database.commits == 0 and units.database.tables.refused == []
