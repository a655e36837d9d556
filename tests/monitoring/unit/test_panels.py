"""The dashboard's panels are views of the catalogue, and every heading, column and value they
show has a German and an English text."""

from __future__ import annotations

from ankommen.monitoring.domain.catalogue import CATALOGUE, DISTRICT, MONTH
from ankommen.monitoring.domain.periods import Period
from ankommen.monitoring.entrypoints.pages import value_key
from ankommen.monitoring.entrypoints.panels import SECTIONS, offered
from ankommen.shared.web.i18n import FRAME_PACKAGE, catalogue_of

#: Monitoring's texts and the shared vocabulary they use for the contracts' codes.
TEXTS = catalogue_of(FRAME_PACKAGE, "ankommen.monitoring")


def test_panels_show_every_catalogue_table_once():
    shown = [spec for section in SECTIONS for spec in section.tables]
    assert sorted(spec.key for spec in shown) == sorted(spec.key for spec in CATALOGUE)
    assert [section.key for section in SECTIONS][0] == "arrivals"


def test_a_month_has_no_table_by_month_and_a_district_none_by_district():
    by_month = next(spec for spec in CATALOGUE if spec.by == MONTH)
    by_district = next(spec for spec in CATALOGUE if spec.by == DISTRICT)
    assert not offered(by_month, Period.parse("2026-10"), None)
    assert offered(by_month, Period.parse("2026-Q4"), None)
    assert offered(by_district, Period.parse("2026-10"), None)
    assert not offered(by_district, Period.parse("2026"), "03358")


def test_every_panel_is_named_in_german_and_english():
    keys = [f"section.{section.key}" for section in SECTIONS]
    for spec in (spec for section in SECTIONS for spec in section.tables):
        keys += [f"view.{spec.key}", f"column.{spec.by}"]
        dimension = spec.measure.dimension(spec.by)
        # German levels (A1 … C2) are the names everyone uses; they need no text.
        if dimension is not None and spec.by not in ("german_level", "level_reached"):
            keys += [value_key(spec.by, value) for value in spec.rows or dimension.values]
    months = [f"month.{number}" for number in range(1, 13)]
    missing = [key for key in [*keys, *months] if set(TEXTS.get(key, {})) != {"de", "en"}]
    assert missing == []
