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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from ankommen.monitoring.domain.catalogue import CATALOGUE, TableSpec
from ankommen.monitoring.domain.measures import ARRIVALS
from ankommen.monitoring.domain.periods import published_periods
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


def people(plan: dict[str, dict[str, int]], seed: int = 15) -> list[Arrival]:
    """District → month → how many people, with attributes drawn from :data:`MIXES`."""
    draw = random.Random(seed)
    return [Arrival(month, district, {
        name: draw.choices(list(mix), weights=list(mix.values()))[0]
        for name, mix in MIXES.items()})
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

    def see(self, cell: Cell, value: int | None, protected: str | None,
            table_total: Cell | None = None) -> None:
        self.observations.append(Observation(self.world, cell, value, protected, table_total))
        self.shown.setdefault(cell, set()).add((value, protected))

    def disagreements(self) -> dict[Cell, set[tuple[int | None, str | None]]]:
        return {cell: seen for cell, seen in self.shown.items() if len(seen) > 1}


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


async def read_everything(client: httpx.AsyncClient, snapshot: Snapshot, now: datetime,
                          grace_days: int, history_months: int, districts: list[str],
                          measures: Iterable[str] = ("arrivals",), closed_only: bool = True
                          ) -> Snapshot:
    """Every catalogue table of these measures × every published period × every area, as
    JSON and CSV, and the key figures per period × area; arrivals' numbers become the
    attacker's observations (the other measures' facts are not the person's: they are read
    and checked for agreement between channels only)."""
    measures = set(measures)
    periods = published_periods(now, timedelta(days=grace_days), history_months, closed_only)
    areas: list[str | None] = [None, *districts]
    for period in periods:
        months = list(period.months)
        for district in areas:
            area = districts if district is None else [district]
            place = {} if district is None else {"district": district}
            for spec in CATALOGUE:
                if spec.measure.name not in measures or (spec.by == "month"
                                                         and len(months) == 1):
                    continue
                parameters = {"period": str(period), "by": spec.by, **dict(spec.filters),
                              **place}
                table = await client.get(f"/statistics/{spec.measure.name}",
                                         params=parameters)
                exported = await client.get(f"/statistics/{spec.measure.name}.csv",
                                            params=parameters)
                assert table.status_code == exported.status_code == 200, (
                    parameters, table.text)
                snapshot.tables += 1
                body = table.json()
                csv_rows = list(csv.reader(io.StringIO(exported.text)))[1:]
                shown_rows = [*body["rows"], body["total"]]
                assert len(csv_rows) == len(shown_rows), (parameters, exported.text)
                for row, csv_row in zip(shown_rows, csv_rows, strict=True):
                    value, protected = _number(row["count"])
                    assert _csv_number(csv_row[1]) == (value, value is None), (
                        parameters, row, csv_row)
                if spec.measure.name != "arrivals" or spec.filters:
                    continue
                total = Cell(frozenset(months), frozenset(area))
                for row in body["rows"]:
                    snapshot.see(_cell_of_row(spec, row["label"], months, area),
                                 *_number(row["count"]), table_total=total)
                snapshot.see(total, *_number(body["total"]["count"]), table_total=total)
            figures = await client.get("/statistics/key-figures",
                                       params={"period": str(period), **place})
            assert figures.status_code == 200, figures.text
            snapshot.see(Cell(frozenset(months), frozenset(area)),
                         *_number(figures.json()["arrivals"]),
                         table_total=Cell(frozenset(months), frozenset(area)))
    assert not snapshot.disagreements(), snapshot.disagreements()
    return snapshot
