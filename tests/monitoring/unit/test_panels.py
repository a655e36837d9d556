"""The dashboard's panels are valid queries of the API, and every heading, column and value
they show has a German and an English text."""

from __future__ import annotations

from ankommen.monitoring.domain.measures import ARRIVALS
from ankommen.monitoring.domain.tables import MONTH, Query
from ankommen.monitoring.entrypoints.panels import SECTIONS
from ankommen.monitoring.entrypoints.texts import TEXTS

SELECTION = Query(ARRIVALS, "2026-01", "2026-06", MONTH, "03358", {"german_level": "A1"})


def test_panels_query_their_measure_over_the_selected_months_and_district_only():
    for section in SECTIONS:
        for panel in section.panels:
            query = panel.query(SELECTION)
            assert (query.measure, query.by, dict(query.filters)) == (
                panel.measure, panel.by, panel.filters)
            assert (query.first_month, query.last_month, query.district) == (
                "2026-01", "2026-06", "03358")


def test_every_panel_is_named_in_german_and_english():
    keys = [f"section.{section.key}" for section in SECTIONS]
    for panel in (panel for section in SECTIONS for panel in section.panels):
        keys += [f"view.{panel.key}", f"column.{panel.by}"]
        dimension = panel.measure.dimension(panel.by)
        if dimension is not None and panel.by not in ("waiting_days", "level_reached"):
            keys += [f"value.{panel.by}.{value}" for value in dimension.values]
    missing = [key for key in keys if set(TEXTS.get(key, {})) != {"de", "en"}]
    assert missing == []
