"""Published tables: totals from raw cells, filters only over published dimensions, closed
months, CSV without formulas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ankommen.monitoring.domain.cells import Tally
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.measures import ARRIVALS
from ankommen.monitoring.domain.months import is_closed, months_between
from ankommen.monitoring.domain.tables import InvalidQuery, Query, RawCell, tabulate
from ankommen.monitoring.entrypoints.exports import table_csv
from ankommen.shared.spreadsheet import safe_cell as neutralise

POLICY = DisclosurePolicy()


def cell(month, district, level, n, key):  # noqa: ANN001, ANN201
    return RawCell(month, district, {"german_level": level}, n, key)


def test_total_is_protected_from_the_raw_cells_not_summed_from_published_rows():
    cells = [cell("2026-10", "03358", "A1", 7, 1_000), cell("2026-10", "03359", "A1", 8, 2_000),
             cell("2026-10", "03360", "B1", 9, 3_000)]
    table = tabulate(Query(ARRIVALS, "2026-10", "2026-10", "district"), cells, POLICY)
    assert table.total.count == POLICY.count(Tally(24, 6_000))
    assert [row.count for row in table.rows] == [
        POLICY.count(Tally(7, 1_000)), POLICY.count(Tally(8, 2_000)),
        POLICY.count(Tally(9, 3_000))]


def test_dimension_breakdown_lists_every_value_with_zeros():
    cells = [cell("2026-10", "03358", "A1", 7, 1)]
    table = tabulate(Query(ARRIVALS, "2026-10", "2026-10", "german_level"), cells, POLICY)
    assert [row.label for row in table.rows] == ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
    assert [row.count.value for row in table.rows].count(0) == 6


def test_filters_only_over_published_dimensions_and_values():
    with pytest.raises(InvalidQuery) as unknown:
        Query(ARRIVALS, "2026-10", "2026-10", "month", filters={"first_language": "tir"})
    assert unknown.value.field == "first_language"
    with pytest.raises(InvalidQuery) as value:
        Query(ARRIVALS, "2026-10", "2026-10", "month", filters={"german_level": "B7"})
    assert value.value.field == "german_level"
    with pytest.raises(InvalidQuery) as by:
        Query(ARRIVALS, "2026-10", "2026-10", "first_language")
    assert by.value.field == "by"


def test_a_month_is_frozen_after_its_end_and_the_grace_period():
    grace = timedelta(days=5)
    assert not is_closed("2026-10", datetime(2026, 11, 5, 23, 59, tzinfo=UTC), grace)
    assert is_closed("2026-10", datetime(2026, 11, 6, tzinfo=UTC), grace)
    assert is_closed("2025-12", datetime(2026, 1, 6, tzinfo=UTC), grace)
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_csv_shows_protected_cells_as_dot_and_neutralises_formulas():
    cells = [cell("2026-10", "03358", "A1", 2, 5), cell("2026-10", "03359", "A1", 30, 6)]
    table = tabulate(Query(ARRIVALS, "2026-10", "2026-10", "district"), cells, POLICY)
    lines = table_csv(table).splitlines()
    assert lines[0] == "district,count"
    assert lines[1] == "03358,·"
    assert lines[2] == "03359,·"  # secondary: the total would reveal the small cell
    assert lines[3].startswith("total,")
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("-2") == "'-2"
    assert neutralise("A1") == "A1"
