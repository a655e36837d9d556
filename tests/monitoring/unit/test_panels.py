"""The dashboard's panels are views of the catalogue, and every heading, column and value they
show has a German and an English text."""

from __future__ import annotations

from ankommen.monitoring.domain.catalogue import CATALOGUE
from ankommen.monitoring.entrypoints.panels import ARRIVAL_PANELS, SECTIONS
from ankommen.monitoring.entrypoints.texts import TEXTS


def test_panels_show_every_catalogue_table_once():
    shown = [*ARRIVAL_PANELS, *(panel for section in SECTIONS for panel in section.panels)]
    assert sorted(panel.key for panel in shown) == sorted(spec.key for spec in CATALOGUE)


def test_every_panel_is_named_in_german_and_english():
    keys = [f"section.{section.key}" for section in SECTIONS]
    for panel in (panel for section in SECTIONS for panel in section.panels):
        keys += [f"view.{panel.key}", f"column.{panel.by}"]
        dimension = panel.measure.dimension(panel.by)
        if dimension is not None and panel.by not in ("waiting_days", "level_reached"):
            keys += [f"value.{panel.by}.{value}" for value in panel.rows or dimension.values]
    missing = [key for key in keys if set(TEXTS.get(key, {})) != {"de", "en"}]
    assert missing == []
