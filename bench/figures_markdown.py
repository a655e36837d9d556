"""``python -m bench.figures_markdown``: bench/results.json as the Markdown tables of
docs/performance.md, "Current figures" — one table per database and broker, the rows in the
file's order — so that the page is brought up to date after a run by pasting, not retyping."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.results import RESULTS

#: The order of the page's tables; combinations not listed follow in the file's order.
COMBINATIONS = [("sqlite", "embedded"), ("sqlite", "kafka"),
                ("postgresql", "embedded"), ("postgresql", "kafka")]
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL",
         "embedded": "the embedded broker (Tansu)", "kafka": "Apache Kafka"}


def number(value: float | None) -> str:
    """Readable at a glance: thousands separated, two digits below 10, none above 1,000."""
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.2f}"


def row(figure: dict[str, Any]) -> str:
    baseline = number(figure["baseline"])
    if figure["baseline"] is not None and figure["baseline_what"]:
        baseline += f" ({figure['baseline_what']})"
    met = "met" if figure["met"] else "**missed**"
    value = f"{number(figure['value'])} {figure['unit']}".strip()
    return (f"| {figure['benchmark']} | {figure['what']} | {value} | {baseline} | "
            f"{number(figure['ratio'])} | {figure['target']} | {met} |")


def tables(results: dict[str, Any]) -> str:
    figures = results["figures"]
    seen = list(dict.fromkeys((f.get("database", "sqlite"), f.get("broker", "embedded"))
                              for f in figures))
    order = [c for c in COMBINATIONS if c in seen] + [c for c in seen if c not in COMBINATIONS]
    parts = []
    for database, broker in order:
        parts.append(f"### {NAMES.get(database, database)}, {NAMES.get(broker, broker)}\n")
        parts.append("| | figure | value | baseline (same run) | ratio | target | |")
        parts.append("|---|---|---|---|---|---|---|")
        parts.extend(row(f) for f in figures
                     if (f.get("database", "sqlite"), f.get("broker", "embedded"))
                     == (database, broker))
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    path = Path(argv[0]) if argv else RESULTS
    print(tables(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
