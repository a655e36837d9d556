"""Disclosure control over the real API: no count of 1–4 in any channel, the same cell has the
same value everywhere, and differencing totals and sub-totals recovers no suppressed cell —
for arrivals (by German level) and for unmet demand (by the course type needed) alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ankommen.shared.auth import Role
from ankommen.shared.events.envelope import Envelope
from tests.monitoring.facts_topic import arrival, publish, unmet_demand
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = datetime.now(UTC).strftime("%Y-%m")
MIN_COUNT, MAX_DEVIATION = 5, 2


@dataclass(frozen=True)
class Scenario:
    """One measure under attack: district × one dimension, with its true counts."""

    measure: str
    dimension: str
    values: tuple[str, ...]
    #: District → dimension value → facts. Small cells (2 and 3) sit next to large ones, so
    #: that a suppression-only dashboard would give them away as "total minus the others".
    truth: dict[str, dict[str, int]]
    fact: Callable[[str, str], Envelope]


ARRIVALS = Scenario("arrivals", "german_level", ("A0", "A1", "A2", "B1", "B2", "C1", "C2"), {
    "03351": {"A1": 3}, "03352": {"A1": 10, "B1": 10}, "03353": {"B1": 2},
    "03354": {"A1": 9}}, lambda district, level: arrival(MONTH, district, level))
UNMET_DEMAND = Scenario(
    "unmet_demand", "course_type_wanted", ("literacy", "youth", "general_integration"), {
        "03351": {"literacy": 3}, "03352": {"literacy": 10, "youth": 10},
        "03353": {"youth": 2}, "03354": {"literacy": 9}},
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
    queries = [{"by": "district"}, {"by": scenario.dimension}]
    queries += [{"by": scenario.dimension, "district": d} for d in scenario.truth]
    queries += [{"by": "district", scenario.dimension: value} for value in scenario.values]
    views = []
    for query in queries:
        parameters = {"from": MONTH, "to": MONTH, **query}
        table = await client.get(f"/statistics/{scenario.measure}", params=parameters)
        exported = await client.get(f"/statistics/{scenario.measure}.csv", params=parameters)
        assert table.status_code == exported.status_code == 200, table.text
        views.append((table.json(), exported.text))
    return views


def identities(table: dict, scenario: Scenario
               ) -> tuple[list[tuple[str | None, str | None]], tuple[str | None, str | None]]:
    """The cell behind each row and behind the total: (district or all, value or all)."""
    district = table["district"]
    level = table["filters"].get(scenario.dimension)
    if table["by"] == "district":
        rows = [(row["label"], level) for row in table["rows"]]
    else:
        rows = [(district, row["label"]) for row in table["rows"]]
    return rows, (district, level)


async def published_system(kafka, databases):  # noqa: ANN001, ANN201
    # An association of four districts: every one of them counts.
    return in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                      database_url=await databases.url("monitoring"),
                      county_districts="03351,03352,03353,03354")


async def wait_for_all(monitoring, scenario: Scenario) -> None:  # noqa: ANN001
    async def processed() -> int:
        response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
        return response.json()["facts_processed"]

    expected = true_count(scenario, None, None)
    await eventually(processed, until=lambda n: n == expected, timeout=60,
                     what="every fact processed")


@SCENARIOS
async def test_no_count_of_one_to_four_and_the_same_cell_has_one_value_everywhere(
        kafka, databases, scenario):
    async with await published_system(kafka, databases) as monitoring:
        await publish(kafka.bootstrap_servers, facts(scenario))
        await wait_for_all(monitoring, scenario)
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
            assert value is None or value == 0 or value >= MIN_COUNT, (identity, value)
            assert csv_row[1] == ("·" if value is None else str(value))
            if value is not None:
                values.setdefault(identity, set()).add(value)
            if row["count"]["protected"] == "small_count":
                assert 1 <= true_count(scenario, *identity) < MIN_COUNT
    assert all(len(seen) == 1 for seen in values.values()), values
    # Noise moves a count by at most the maximum deviation.
    assert all(abs(next(iter(seen)) - true_count(scenario, *identity)) <= MAX_DEVIATION
               for identity, seen in values.items())


def interval(value: int) -> tuple[int, int]:
    """What a published count tells an attacker who knows the method."""
    return (0, 0) if value == 0 else (max(MIN_COUNT, value - MAX_DEVIATION),
                                      value + MAX_DEVIATION)


@SCENARIOS
async def test_differencing_totals_and_sub_totals_recovers_no_suppressed_cell(
        kafka, databases, scenario):
    async with await published_system(kafka, databases) as monitoring:
        await publish(kafka.bootstrap_servers, facts(scenario))
        await wait_for_all(monitoring, scenario)
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

    # 2. Across tables: the attacker fills hidden siblings with what other tables show and
    #    bounds each small cell by interval arithmetic; no bound narrows to one value.
    candidates = {identity: set(range(1, MIN_COUNT)) for identity in small}
    equations = 0
    for table in views:
        cells, total = identities(table, scenario)
        if total not in known:
            continue
        for target in (cell for cell in cells if cell in small):
            others = [cell for cell in cells if cell != target]
            if not all(cell in known for cell in others):
                continue
            low = known[total][0] - sum(known[cell][1] for cell in others)
            high = known[total][1] - sum(known[cell][0] for cell in others)
            candidates[target] &= set(range(low, high + 1))
            equations += 1
    for identity, possible in candidates.items():
        assert true_count(scenario, *identity) in possible
        assert len(possible) >= 2, f"{identity} recovered as {possible}"
    assert equations > 0, "the attacker had equations to work with"
