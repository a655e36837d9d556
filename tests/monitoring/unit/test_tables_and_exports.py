"""Published tables: totals from raw cells, rows fixed by design, closed months, CSV without
formulas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.domain.catalogue import BY_KEY
from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy, Protection
from ankommen.monitoring.domain.months import is_closed, months_between
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.domain.tables import InvalidQuery, Query, RawCell, tabulate
from ankommen.monitoring.entrypoints.exports import table_csv
from ankommen.shared.spreadsheet import safe_cell as neutralise

POLICY = DisclosurePolicy()
OCTOBER = Period.parse("2026-10")
COUNTY = ("03358", "03359", "03360")


def query(key: str, period: Period = OCTOBER, district: str | None = None) -> Query:
    return Query(BY_KEY[key], period, district, COUNTY)


def cell(month, district, level, n, key):  # noqa: ANN001, ANN201
    return RawCell(month, district, {"german_level": level}, n, key)


def test_total_is_protected_from_the_raw_cells_not_summed_from_published_rows():
    cells = [cell("2026-10", "03358", "A1", 7, 1_000), cell("2026-10", "03359", "A1", 8, 2_000),
             cell("2026-10", "03360", "B1", 9, 3_000)]
    table = tabulate(query("arrivals-district"), cells, POLICY)
    assert table.total.count == POLICY.count(Tally(24, 6_000))
    assert [row.count for row in table.rows] == [
        POLICY.count(Tally(7, 1_000)), POLICY.count(Tally(8, 2_000)),
        POLICY.count(Tally(9, 3_000))]


def test_dimension_breakdown_lists_every_value_zeros_protected():
    cells = [cell("2026-10", "03358", "A1", 7, 1)]
    table = tabulate(query("arrivals-german_level"), cells, POLICY)
    assert [row.label for row in table.rows] == ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
    assert [row.count.protection for row in table.rows].count(Protection.SMALL_COUNT) == 6


def test_rows_are_fixed_by_design_not_by_what_was_seen():
    cells = [cell("2026-10", "03358", "A1", 7, 1)]
    by_district = tabulate(query("arrivals-district", Period.parse("2026-Q4")), cells, POLICY)
    assert [row.label for row in by_district.rows] == list(COUNTY)
    by_month = tabulate(query("arrivals-month", Period.parse("2026-Q4")), cells, POLICY)
    assert [row.label for row in by_month.rows] == ["2026-10", "2026-11", "2026-12"]
    discontinued = BY_KEY["course_outcomes-discontinuation_reason"]
    assert "none" not in [row.label for row in tabulate(
        Query(discontinued, OCTOBER), [], POLICY).rows]


def test_queries_the_catalogue_cannot_answer_are_refused_by_name():
    with pytest.raises(InvalidQuery) as by_month:
        query("arrivals-month")  # a month has no breakdown by month
    assert by_month.value.field == "by"
    with pytest.raises(InvalidQuery) as by_district:
        query("arrivals-district", district="03358")
    assert by_district.value.field == "district"
    with pytest.raises(InvalidQuery) as outside:
        query("arrivals-gender", district="09999")
    assert outside.value.field == "district"


def test_a_month_is_frozen_after_its_end_and_the_grace_period():
    grace = timedelta(days=5)
    assert not is_closed("2026-10", datetime(2026, 11, 5, 23, 59, tzinfo=UTC), grace)
    assert is_closed("2026-10", datetime(2026, 11, 6, tzinfo=UTC), grace)
    assert is_closed("2025-12", datetime(2026, 1, 6, tzinfo=UTC), grace)
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_csv_shows_protected_cells_as_dot_and_neutralises_formulas():
    cells = [cell("2026-10", "03358", "A1", 2, 5), cell("2026-10", "03359", "A1", 30, 6),
             cell("2026-10", "03360", "A1", 12, 7)]
    table = tabulate(query("arrivals-district"), cells, POLICY)
    lines = table_csv(table).splitlines()
    assert lines[0] == "district,count"
    assert lines[1] == "03358,·"
    assert lines[2].startswith("03359,") and lines[2] != "03359,·"
    assert lines[3] == "03360,·"  # secondary: the total would reveal the small cell
    assert lines[4].startswith("total,")
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("-2") == "'-2"
    assert neutralise("A1") == "A1"
