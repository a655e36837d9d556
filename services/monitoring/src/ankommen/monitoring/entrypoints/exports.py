"""Rendering a published table as JSON or CSV — the same protected numbers in both.

CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from ankommen.monitoring.domain.disclosure import PROTECTED_SIGN, Published
from ankommen.monitoring.domain.tables import PublishedTable, Row
from ankommen.monitoring.service.statistics import KeyFigures

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number(published: Published | None) -> dict[str, Any]:
    if published is None:
        return {}
    return {"value": published.value,
            "protected": published.protection.value if published.protection else None}


def _row_json(row: Row, distribution: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"label": row.label, "count": _number(row.count)}
    if distribution:
        body["median_weeks"] = _number(row.median_weeks)
        body["p90_weeks"] = _number(row.p90_weeks)
    return body


def table_json(table: PublishedTable, data_as_of: datetime | None) -> dict[str, Any]:
    query = table.query
    distribution = query.measure.distribution
    return {
        "measure": query.measure.name,
        "by": query.by,
        "from": query.first_month,
        "to": query.last_month,
        "district": query.district,
        "filters": dict(query.filters),
        "rows": [_row_json(row, distribution) for row in table.rows],
        "total": _row_json(table.total, distribution),
        "protected_sign": PROTECTED_SIGN,
        "data_as_of": data_as_of.isoformat() if data_as_of else None,
    }


def key_figures_json(figures: KeyFigures) -> dict[str, Any]:
    return {
        "arrivals": _number(figures.arrivals),
        "placements": _number(figures.placements),
        "waitlisted": _number(figures.waitlisted),
        "completed": _number(figures.completed),
        "discontinued": _number(figures.discontinued),
        "b1_share": {"shown": figures.b1_share.shown,
                     "assessment": figures.b1_share.assessment.value},
    }


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(table: PublishedTable) -> str:
    distribution = table.query.measure.distribution
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [table.query.by, "count"]
    if distribution:
        header += ["median_weeks", "p90_weeks"]
    writer.writerow(header)
    for row in [*table.rows, table.total]:
        line = [row.label, row.count.shown]
        if distribution:
            line += [row.median_weeks.shown, row.p90_weeks.shown]
        writer.writerow([neutralise(cell) for cell in line])
    return buffer.getvalue()

