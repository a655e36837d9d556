"""The attack of issue 15 against the running monitoring service: small districts, one more
person with a rare combination of attributes, and every number every channel publishes,
snapshot after snapshot, handed to the attacker (:mod:`tests.monitoring.attacker`).

Shared by the quick attack (``tests/monitoring/integration``, arrivals only, a few months) and
the full one (``tests/reliability``, every measure, the person registered at intake).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from bs4 import BeautifulSoup, Tag

from ankommen.monitoring.domain.catalogue import BY_KEY, TableSpec
from ankommen.monitoring.domain.measures import ARRIVALS
from ankommen.monitoring.domain.periods import Period, PeriodKind
from ankommen.shared.events.envelope import Envelope
from tests.monitoring.attacker import Cell, Observation, World
from tests.monitoring.facts_topic import arrival

#: Every attribute of an arrival, as the attacker models it (residence status included: it is
#: stored, and the attacker must not learn it either).
DIMENSIONS = {dimension.name: dimension.values for dimension in ARRIVALS.dimensions}
#: The person's rare combination: nobody else in his district shares most of it.
RARE = {"german_level": "C2", "age_band": "65_plus", "gender": "diverse",
        "reads_latin_script": False, "schooling_band": "none", "needs_childcare": True,
        "residence_status": "skilled_worker"}
#: Realistic mixes (weights) of the others' attributes.
MIXES: dict[str, dict[object, int]] = {
    "german_level": {"A0": 4, "A1": 4, "A2": 2, "B1": 1},
    "age_band": {"18_to_26": 3, "27_to_44": 5, "45_to_64": 2, "under_18": 1},
    "gender": {"female": 5, "male": 5},
    "reads_latin_script": {True: 7, False: 3},
    "schooling_band": {"1_to_6": 2, "7_to_9": 3, "10_to_12": 4, "13_plus": 1},
    "needs_childcare": {False: 7, True: 3},
    "residence_status": {"recognised_refugee": 4, "temporary_protection": 3,
                         "asylum_seeker": 2, "family_reunification": 1},
}


def month_start(month: str) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=UTC)


def attribute_value(dimension: str, raw: object) -> str:
    """A fact's attribute as the published dimension names it (yes/no for booleans)."""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


@dataclass(frozen=True)
class Arrival:
    month: str
    district: str
    attributes: dict[str, object]

    def fact(self) -> Envelope:
        """The fact as a producer sends it: dated the first instant of its month."""
        attributes = dict(self.attributes)
        return arrival(self.month, self.district, published_at=month_start(self.month),
                       **attributes)


def people(plan: dict[str, dict[str, int]], seed: int = 15,
           shared: dict[str, dict[str, object]] | None = None) -> list[Arrival]:
    """District → month → how many people, with attributes drawn from :data:`MIXES` (or, for
    the districts in ``shared``, the same value for everybody: a group to disclose)."""
    draw = random.Random(seed)
    shared = shared or {}
    return [Arrival(month, district, {
        name: draw.choices(list(mix), weights=list(mix.values()))[0]
        for name, mix in MIXES.items()} | shared.get(district, {}))
        for district, months in plan.items() for month, count in months.items()
        for _ in range(count)]


@dataclass
class Snapshot:
    """Everything published at one moment, as the attacker reads it."""

    name: str
    world: World
    observations: list[Observation] = field(default_factory=list)
    #: (cell) → what every channel showed for it: must be one thing.
    shown: dict[Cell, set[tuple[int | None, str | None]]] = field(default_factory=dict)
    tables: int = 0
    #: What the JSON API said, to hold the pages against: (table key, period, district or
    #: None) → answered, and (that, row label or "total") → the count's value.
    answered: dict[tuple[str, str, str | None], bool] = field(default_factory=dict)
    values: dict[tuple[str, str, str | None, str], int | None] = field(default_factory=dict)
    #: (period, district or None) → the key figures as the API gave them.
    figures: dict[tuple[str, str | None], dict] = field(default_factory=dict)
    pages: int = 0

    def see(self, cell: Cell, value: int | None, protected: str | None,
            table_total: Cell | None = None) -> None:
        self.observations.append(Observation(self.world, cell, value, protected, table_total))
        self.shown.setdefault(cell, set()).add((value, protected))

    def disagreements(self) -> dict[Cell, set[tuple[int | None, str | None]]]:
        """Cells shown with two different values (Cell Key noise is a function of the set of
        facts: this must never happen)."""
        return {cell: seen for cell, seen in self.shown.items()
                if len({value for value, _ in seen if value is not None}) > 1}


def _cell_of_row(spec: TableSpec, label: str, months: list[str], area: list[str]) -> Cell:
    if spec.by == "month":
        return Cell(frozenset({label}), frozenset(area))
    if spec.by == "district":
        return Cell(frozenset(months), frozenset({label}))
    return Cell(frozenset(months), frozenset(area), spec.by, label)


def _number(body: dict) -> tuple[int | None, str | None]:
    return body.get("value"), body.get("protected")


def _csv_number(text: str) -> tuple[int | None, bool]:
    return (None, True) if text == "·" else (int(text), False)


async def read_everything(client: httpx.AsyncClient, snapshot: Snapshot,
                          measures: Iterable[str] = ("arrivals",), *, csv_too: bool = True,
                          pages: bool = True) -> Snapshot:
    """What the public catalogue (``/statistics``) lists — every table of these measures ×
    every published period × every area (the county and each district) — as JSON and CSV,
    and the key figures per period × area; then (``pages``) the dashboard of every published
    period × area and the annual report of every published year, held against the JSON.
    Arrivals' numbers become the attacker's observations; the other measures' facts are not
    the person's, they are read and checked (JSON against CSV and pages) only. The pages show
    what the JSON shows, number for number, so they add no constraint — the check is that
    they add nothing either."""
    measures = set(measures)
    catalogue = (await client.get("/statistics")).json()
    districts = catalogue["districts"]
    periods = [Period.parse(label) for labels in catalogue["periods"].values()
               for label in labels]
    specs = [BY_KEY[table["key"]] for table in catalogue["tables"]
             if table["measure"] in measures]
    for period in periods:
        months = list(period.months)
        for district in [None, *districts]:
            area = districts if district is None else [district]
            place = {} if district is None else {"district": district}
            total = Cell(frozenset(months), frozenset(area))
            for spec in specs:
                if (spec.by == "month" and len(months) == 1) or (
                        spec.by == "district" and district is not None):
                    continue  # refused: a month by month, a district by district
                await _read_table(client, snapshot, spec, period, area, place, total,
                                  csv_too)
            figures = await client.get("/statistics/key-figures",
                                       params={"period": period.label, **place})
            assert figures.status_code == 200, figures.text
            snapshot.figures[period.label, district] = figures.json()
            snapshot.see(total, *_number(figures.json()["arrivals"]), table_total=total)
    assert not snapshot.disagreements(), snapshot.disagreements()
    if pages:
        await _hold_pages_against_json(client, snapshot, periods, districts, measures)
    return snapshot


async def _hold_pages_against_json(client: httpx.AsyncClient, snapshot: Snapshot,
                                   periods: list[Period], districts: list[str],
                                   measures: set[str]) -> None:
    """The dashboard of every published period × area and the report of every published
    year (the county's) show exactly the JSON's numbers: the same tables answered, the same
    value or "·" in every row and total, the same key figures."""
    for period in periods:
        for district in [None, *districts]:
            place = {} if district is None else {"district": district}
            page = await client.get("/", params={"period": period.label, **place})
            assert page.status_code == 200, (period, district, page.text[:500])
            _agrees(snapshot, BeautifulSoup(page.text, "html.parser"), period, district,
                    measures)
        if period.kind is PeriodKind.YEAR:
            page = await client.get("/report", params={"year": period.label})
            assert page.status_code == 200, (period, page.text[:500])
            _agrees(snapshot, BeautifulSoup(page.text, "html.parser"), period, None, measures)


def _view_of(element: Tag) -> str:
    """The catalogue key of a table or "too few" sentence: its own ``data-view``, or its
    dashboard panel's."""
    view = element.get("data-view")
    if view is None:
        panel = element.find_parent(attrs={"data-panel": True})
        assert panel is not None, element
        view = panel["data-panel"]
    return str(view)


def _agrees(snapshot: Snapshot, page: BeautifulSoup, period: Period, district: str | None,
            measures: set[str]) -> None:
    snapshot.pages += 1
    where = (period.label, district)
    seen: set[str] = set()

    def views(selector: str) -> Iterator[tuple[str, Tag]]:
        """The tables (or "too few" sentences) of the measures read, by catalogue key."""
        for element in page.select(selector):
            key = _view_of(element)
            if BY_KEY[key].measure.name in measures:
                seen.add(key)
                yield key, element

    for key, table in views("table[data-view]"):
        assert snapshot.answered.get((key, *where)) is True, (key, where, "answered on a page")
        rows = [(str(row["data-label"]), row.select_one("td.num"))
                for row in table.select("tbody tr[data-label]")]
        rows.append(("total", table.select_one("td[data-total]")))
        for label, cell in rows:
            assert cell is not None, (key, where, label)
            shown = None if cell["data-value"] == "" else int(str(cell["data-value"]))
            assert shown == snapshot.values[key, *where, label], (key, where, label, shown)
            assert cell.get_text(strip=True) == ("·" if shown is None else str(shown))
    for key, _ in views("[data-unanswered]"):
        assert snapshot.answered.get((key, *where)) is False, (key, where, "unanswered")
    expected = {key for key, *rest in snapshot.answered
                if tuple(rest) == where and BY_KEY[key].measure.name in measures}
    assert seen >= expected, (where, expected - seen, "tables of the JSON missing on a page")
    figures = snapshot.figures.get(where)
    for element in page.select("[data-figure]"):
        assert figures is not None, where
        name = str(element["data-figure"])
        text = (element.select_one("td") or element).get_text(strip=True)
        given = figures[name]
        if "value" in given:
            assert text == ("·" if given["value"] is None else str(given["value"])), (
                name, where, text, given)
        else:
            assert text == (given["shown"] or "·"), (name, where, text, given)


async def _read_table(client: httpx.AsyncClient, snapshot: Snapshot, spec: TableSpec,
                      period: Period, area: list[str], place: dict[str, str], total: Cell,
                      csv_too: bool) -> None:
    parameters = {"period": period.label, "by": spec.by, **dict(spec.filters), **place}
    table = await client.get(f"/statistics/{spec.measure.name}", params=parameters)
    assert table.status_code == 200, (parameters, table.text)
    snapshot.tables += 1
    body = table.json()
    where = (spec.key, period.label, place.get("district"))
    snapshot.answered[where] = body["answered"]
    for row in [*body["rows"], {**body["total"], "label": "total"}]:
        snapshot.values[(*where, row["label"])] = row["count"]["value"]
    if csv_too:
        exported = await client.get(f"/statistics/{spec.measure.name}.csv", params=parameters)
        assert exported.status_code == 200, (parameters, exported.text)
        csv_rows = list(csv.reader(io.StringIO(exported.text)))[1:]
        shown_rows = [*body["rows"], body["total"]]
        assert len(csv_rows) == len(shown_rows), (parameters, exported.text)
        for row, csv_row in zip(shown_rows, csv_rows, strict=True):
            value, _ = _number(row["count"])
            assert _csv_number(csv_row[1]) == (value, value is None), (parameters, row,
                                                                        csv_row)
    if spec.measure.name != "arrivals" or spec.filters:
        return
    months = list(period.months)
    for row in body["rows"]:
        snapshot.see(_cell_of_row(spec, row["label"], months, area), *_number(row["count"]),
                     table_total=total)
    snapshot.see(total, *_number(body["total"]["count"]), table_total=total)
