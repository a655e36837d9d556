"""Disclosure control over the real API: no count of 1–4 in any channel, no zero told apart
from a small count, the same cell has the same value everywhere, and differencing totals and
sub-totals recovers no suppressed cell — for arrivals (by German level) and for unmet demand
(by the course type needed) alike. The facts arrive while their month is open (nothing is
published); the clock then moves past the month's close."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ankommen.shared.events.envelope import Envelope
from ankommen.shared.identity.auth import Role
from tests.monitoring.facts_topic import arrival, publish, unmet_demand
from tests.support.clock import MovableClock, this_month, when_published
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = this_month()
MIN_COUNT, MAX_DEVIATION = 5, 2


@dataclass(frozen=True)
class Scenario:
    """One measure under attack: district × one dimension, with its true counts."""

    measure: str
    dimension: str
    values: tuple[str, ...]
    #: District → dimension value → facts. Small cells (2 and 3) sit next to large ones, so
    #: that a suppression-only dashboard would give them away as "total minus the others";
    #: every district has a population of its own (≥ 20, far from the county's).
    truth: dict[str, dict[str, int]]
    fact: Callable[[str, str], Envelope]


ARRIVALS = Scenario("arrivals", "german_level", ("A0", "A1", "A2", "B1", "B2", "C1", "C2"), {
    "03351": {"A1": 3, "B1": 20}, "03352": {"A1": 10, "B1": 10}, "03353": {"B1": 2, "A2": 20},
    "03354": {"A1": 9, "A2": 12}}, lambda district, level: arrival(MONTH, district, level))
UNMET_DEMAND = Scenario(
    "unmet_demand", "course_type_wanted", ("literacy", "youth", "general_integration"), {
        "03351": {"literacy": 3, "general_integration": 20},
        "03352": {"literacy": 10, "youth": 10},
        "03353": {"youth": 2, "general_integration": 20},
        "03354": {"literacy": 9, "general_integration": 12}},
    lambda district, course_type: unmet_demand(MONTH, district, course_type))
SCENARIOS = pytest.mark.parametrize("scenario", [ARRIVALS, UNMET_DEMAND],
                                    ids=lambda scenario: scenario.measure)


def facts(scenario: Scenario) -> list:
    return [scenario.fact(district, value)
            for district, values in scenario.truth.items()
            for value, count in values.items() for _ in range(count)]


def true_count(scenario: Scenario, district: str | None, value: str | None) -> int:
    return sum(count for d, values in scenario.truth.items() for v, count in values.items()
               if district in (None, d) and value in (None, v))


async def every_view(client, scenario: Scenario) -> list[tuple[dict, str]]:  # noqa: ANN001
    """Every table the attacker can ask for, as JSON and as CSV."""
    queries = [{"by": scenario.dimension}]
    queries += [{"by": scenario.dimension, "district": d} for d in scenario.truth]
    if scenario.measure == "arrivals":  # the only measure published by district
        queries += [{"by": "district"}]
    views = []
    for query in queries:
        parameters = {"period": MONTH, **query}
        table = await client.get(f"/statistics/{scenario.measure}", params=parameters)
        exported = await client.get(f"/statistics/{scenario.measure}.csv", params=parameters)
        assert table.status_code == exported.status_code == 200, table.text
        assert table.json()["answered"], table.json()
        views.append((table.json(), exported.text))
    return views


def identities(table: dict, scenario: Scenario
               ) -> tuple[list[tuple[str | None, str | None]], tuple[str | None, str | None]]:
    """The cell behind each row and behind the total: (district or all, value or all)."""
    district = table["district"]
    level = None
    if table["by"] == "district":
        rows = [(row["label"], level) for row in table["rows"]]
    else:
        rows = [(district, row["label"]) for row in table["rows"]]
    return rows, (district, level)


async def published_system(kafka, databases, clock: MovableClock):  # noqa: ANN001, ANN201
    # An association of four districts: every one of them counts.
    return in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                      database_url=await databases.url("monitoring"),
                      county_districts="03351,03352,03353,03354", clock=clock)


async def wait_for_all(monitoring, scenario: Scenario, clock: MovableClock) -> None:  # noqa: ANN001
    """Every fact counted while the month is open — and nothing of it published — then the
    month closes."""
    async def processed() -> int:
        response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
        return response.json()["facts_processed"]

    expected = true_count(scenario, None, None)
    await eventually(processed, until=lambda n: n == expected, timeout=60,
                     what="every fact processed")
    open_month = await monitoring.client.get(f"/statistics/{scenario.measure}",
                                             params={"period": MONTH})
    assert open_month.status_code == 422
    assert when_published(MONTH).date().isoformat() in open_month.text
    clock.set(when_published(MONTH))


@SCENARIOS
async def test_no_count_of_one_to_four_and_the_same_cell_has_one_value_everywhere(
        kafka, databases, scenario):
    clock = MovableClock()
    async with await published_system(kafka, databases, clock) as monitoring:
        await publish(kafka.bootstrap_servers, facts(scenario))
        await wait_for_all(monitoring, scenario, clock)
        first = await every_view(monitoring.client, scenario)
        again = await every_view(monitoring.client, scenario)

    assert [table for table, _ in first] == [table for table, _ in again]
    values: dict[tuple, set] = {}
    for table, exported in first:
        cells, total = identities(table, scenario)
        shown = [*table["rows"], table["total"]]
        csv_rows = list(csv.reader(io.StringIO(exported)))[1:]
        assert len(csv_rows) == len(shown)
        for identity, row, csv_row in zip([*cells, total], shown, csv_rows, strict=True):
            value = row["count"]["value"]
            assert value is None or value >= MIN_COUNT, (identity, value)
            assert csv_row[1] == ("·" if value is None else str(value))
            if value is not None:
                values.setdefault(identity, set()).add(value)
            if row["count"]["protected"] == "small_count":  # zeros included
                assert 0 <= true_count(scenario, *identity) < MIN_COUNT
    assert all(len(seen) == 1 for seen in values.values()), values
    # Noise moves a count by at most the maximum deviation.
    assert all(abs(next(iter(seen)) - true_count(scenario, *identity)) <= MAX_DEVIATION
               for identity, seen in values.items())


def interval(value: int) -> tuple[int, int]:
    """What a published count tells an attacker who knows the method."""
    return max(MIN_COUNT, value - MAX_DEVIATION), value + MAX_DEVIATION


@SCENARIOS
async def test_differencing_totals_and_sub_totals_recovers_no_suppressed_cell(
        kafka, databases, scenario):
    clock = MovableClock()
    async with await published_system(kafka, databases, clock) as monitoring:
        await publish(kafka.bootstrap_servers, facts(scenario))
        await wait_for_all(monitoring, scenario, clock)
        views = [table for table, _ in await every_view(monitoring.client, scenario)]

    known: dict[tuple, tuple[int, int]] = {}
    small: set[tuple] = set()
    for table in views:
        cells, total = identities(table, scenario)
        for identity, row in zip([*cells, total], [*table["rows"], table["total"]],
                                 strict=True):
            if row["count"]["value"] is not None:
                known[identity] = interval(row["count"]["value"])
            elif row["count"]["protected"] == "small_count":
                small.add(identity)
    assert small, "the scenario must have suppressed cells to attack"

    # 1. Within one table, "total minus the shown rows" never isolates a single cell.
    for table in views:
        hidden = [row for row in table["rows"] if row["count"]["value"] is None]
        assert len(hidden) != 1 or table["total"]["count"]["value"] is None, table

    # 2. Across tables: the attacker knows every sum the tables stand in (a table's total is
    #    the sum of its rows; the county's row of a value is the sum of the districts'), and
    #    narrows the bounds of every cell by interval propagation until nothing changes.
    #    Zeros look like small counts, so a hidden cell is 0 … 4 (or anything, if hidden by
    #    secondary suppression).
    bounds: dict[tuple, tuple[int, int]] = dict(known)
    everything = known.get((None, None), (0, 10_000))[1]
    equations: list[tuple[tuple, list[tuple]]] = []
    for table in views:
        cells, total = identities(table, scenario)
        equations.append((total, cells))
    districts = list(scenario.truth)
    equations += [((None, value), [(district, value) for district in districts])
                  for value in scenario.values]
    for total, cells in equations:
        for identity in [total, *cells]:
            bounds.setdefault(identity, (0, MIN_COUNT - 1) if identity in small
                              else (0, everything))
    changed = True
    while changed:
        changed = False
        for total, cells in equations:
            for target in cells:
                others = [cell for cell in cells if cell != target]
                low = bounds[total][0] - sum(bounds[cell][1] for cell in others)
                high = bounds[total][1] - sum(bounds[cell][0] for cell in others)
                narrowed = (max(bounds[target][0], low), min(bounds[target][1], high))
                if narrowed != bounds[target]:
                    bounds[target], changed = narrowed, True
    for identity in small:
        possible = set(range(bounds[identity][0], bounds[identity][1] + 1))
        assert true_count(scenario, *identity) in possible
        assert len(possible) >= 2, f"{identity} recovered as {possible}"
    assert len(equations) > len(views), "the attacker had equations across tables"
