"""Disclosure control over the real API: no count of 1–4 in any channel, the same cell has the
same value everywhere, and differencing totals and sub-totals recovers no suppressed cell."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from ankommen.shared.auth import Role
from tests.monitoring.facts_topic import arrival, publish
from tests.support.polling import eventually
from tests.support.services import in_process, token

MONTH = datetime.now(UTC).strftime("%Y-%m")
LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
MIN_COUNT, MAX_DEVIATION = 5, 2
# District → German level → arrivals. Small cells (2 and 3) sit next to large ones, so that
# a suppression-only dashboard would give them away as "total minus the others".
TRUTH = {
    "03351": {"A1": 3},
    "03352": {"A1": 10, "B1": 10},
    "03353": {"B1": 2},
    "03354": {"A1": 9},
}


def facts() -> list:
    return [arrival(MONTH, district, level)
            for district, levels in TRUTH.items()
            for level, count in levels.items() for _ in range(count)]


def true_count(district: str | None, level: str | None) -> int:
    return sum(count for d, levels in TRUTH.items() for lv, count in levels.items()
               if district in (None, d) and level in (None, lv))


async def every_view(client) -> list[tuple[dict, str]]:  # noqa: ANN001
    """Every table the attacker can ask for, as JSON and as CSV."""
    queries = [{"by": "district"}, {"by": "german_level"}]
    queries += [{"by": "german_level", "district": d} for d in TRUTH]
    queries += [{"by": "district", "german_level": level} for level in LEVELS]
    views = []
    for query in queries:
        parameters = {"from": MONTH, "to": MONTH, **query}
        table = await client.get("/statistics/arrivals", params=parameters)
        exported = await client.get("/statistics/arrivals.csv", params=parameters)
        assert table.status_code == exported.status_code == 200, table.text
        views.append((table.json(), exported.text))
    return views


def identities(table: dict) -> tuple[list[tuple[str | None, str | None]],
                                     tuple[str | None, str | None]]:
    """The cell behind each row and behind the total: (district or all, level or all)."""
    district = table["district"]
    level = table["filters"].get("german_level")
    if table["by"] == "district":
        rows = [(row["label"], level) for row in table["rows"]]
    else:
        rows = [(district, row["label"]) for row in table["rows"]]
    return rows, (district, level)


async def published_system(kafka, databases):  # noqa: ANN001, ANN201
    return in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                      database_url=await databases.url("monitoring"))


async def wait_for_all(monitoring) -> None:  # noqa: ANN001
    async def processed() -> int:
        response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
        return response.json()["facts_processed"]

    expected = sum(true_count(d, None) for d in TRUTH)
    await eventually(processed, until=lambda n: n == expected, timeout=60,
                     what="every fact processed")


async def test_no_count_of_one_to_four_and_the_same_cell_has_one_value_everywhere(
        kafka, databases):
    async with await published_system(kafka, databases) as monitoring:
        await publish(kafka.bootstrap_servers, facts())
        await wait_for_all(monitoring)
        first, again = await every_view(monitoring.client), await every_view(monitoring.client)

    assert [table for table, _ in first] == [table for table, _ in again]
    values: dict[tuple, set] = {}
    for table, exported in first:
        cells, total = identities(table)
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
                assert 1 <= true_count(*identity) < MIN_COUNT
    assert all(len(seen) == 1 for seen in values.values()), values
    # Noise moves a count by at most the maximum deviation.
    assert all(abs(next(iter(seen)) - true_count(*identity)) <= MAX_DEVIATION
               for identity, seen in values.items())


def interval(value: int) -> tuple[int, int]:
    """What a published count tells an attacker who knows the method."""
    return (0, 0) if value == 0 else (max(MIN_COUNT, value - MAX_DEVIATION),
                                      value + MAX_DEVIATION)


async def test_differencing_totals_and_sub_totals_recovers_no_suppressed_cell(
        kafka, databases):
    async with await published_system(kafka, databases) as monitoring:
        await publish(kafka.bootstrap_servers, facts())
        await wait_for_all(monitoring)
        views = [table for table, _ in await every_view(monitoring.client)]

    known: dict[tuple, tuple[int, int]] = {}
    small: set[tuple] = set()
    for table in views:
        cells, total = identities(table)
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
        cells, total = identities(table)
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
        assert true_count(*identity) in possible
        assert len(possible) >= 2, f"{identity} recovered as {possible}"
    assert equations > 0, "the attacker had equations to work with"
