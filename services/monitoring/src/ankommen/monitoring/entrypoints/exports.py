"""Rendering a published table as JSON or CSV — the same protected numbers in both.

CSV cells that a spreadsheet would read as a formula are neutralised
(:mod:`ankommen.shared.spreadsheet`).
"""

from __future__ import annotations

from typing import Any

from ankommen.monitoring.domain.disclosure import PROTECTED_SIGN, Published
from ankommen.monitoring.domain.review import Correction
from ankommen.monitoring.domain.tables import PublishedTable, Row
from ankommen.monitoring.service.statistics import KeyFigures
from ankommen.shared.spreadsheet import csv_text


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


def corrections_json(corrections: list[Correction]) -> list[dict[str, Any]]:
    """Correction notes: which month changed after it closed, on which day, by how many
    facts (never who: that is in the admin's review list)."""
    return [{"month": correction.month, "corrected_on": correction.corrected_on.isoformat(),
             "facts": correction.facts} for correction in corrections]


def table_json(table: PublishedTable, published_through: str | None,
               corrections: list[Correction] | None = None) -> dict[str, Any]:
    """A table as JSON: which catalogue table over which period and area, whether it is
    answered, its rows and total; ``published_through`` is the newest published month."""
    query = table.query
    distribution = query.measure.distribution
    return {
        "table": query.table.key,
        "measure": query.measure.name,
        "by": query.by,
        "period": query.period.label,
        "months": query.period.months,
        "district": query.district,
        "filters": dict(query.filters),
        "answered": table.answered,
        "rows": [_row_json(row, distribution) for row in table.rows],
        "total": _row_json(table.total, distribution),
        "protected_sign": PROTECTED_SIGN,
        "published_through": published_through,
        "corrections": corrections_json(corrections or []),
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
        "median_wait_weeks": _number(figures.median_wait_weeks),
        "within_6_weeks": {"shown": figures.within_6_weeks},
        "unmet_demand": _number(figures.unmet_demand),
        "capacity_use": {"shown": figures.capacity_use},
        "transitions": _number(figures.transitions),
        "median_wait": {"shown": figures.median_wait.shown,
                        "assessment": figures.median_wait.assessment.value},
    }


def table_csv(table: PublishedTable) -> str:
    distribution = table.query.measure.distribution
    header = [table.query.by, "count"]
    if distribution:
        header += ["median_weeks", "p90_weeks"]
    lines = [header]
    for row in [*table.rows, table.total]:
        line = [row.label, row.count.shown]
        if distribution:
            assert row.median_weeks is not None and row.p90_weeks is not None, \
                "the rows of a distribution carry its percentiles"
            line += [row.median_weeks.shown, row.p90_weeks.shown]
        lines.append(line)
    return csv_text(lines)

