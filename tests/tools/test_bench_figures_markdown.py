"""docs/performance.md's tables come from bench/results.json: one table per database and
broker in the page's order, rows in the file's order, a missed target visible in words."""

from __future__ import annotations

from bench.figures_markdown import tables


def line(benchmark: str, database: str, broker: str | None, met: bool) -> dict[str, object]:
    figure: dict[str, object] = {
        "benchmark": benchmark, "what": f"{benchmark} figure", "value": 12345.678, "unit": "/s",
        "baseline": 2.5, "baseline_what": "bare (/s)", "ratio": 0.25, "target": "ratio ≥ 0.5",
        "met": met, "database": database}
    if broker is not None:
        figure["broker"] = broker
    return figure


def test_one_table_per_combination_in_the_pages_order_rows_in_the_files_order() -> None:
    text = tables({"figures": [line("B3", "postgresql", "kafka", False),
                               line("B2", "sqlite", "kafka", True),
                               line("B1", "sqlite", None, False),
                               line("B0", "postgresql", "kafka", True)]})
    headings = [row for row in text.splitlines() if row.startswith("### ")]
    assert headings == ["### SQLite, the embedded broker (Tansu)", "### SQLite, Apache Kafka",
                        "### PostgreSQL, Apache Kafka"]
    postgres = text.split("### PostgreSQL, Apache Kafka")[1]
    assert postgres.index("| B3 |") < postgres.index("| B0 |")
    assert ("| B1 | B1 figure | 12,346 /s | 2.50 (bare (/s)) | 0.25 | ratio ≥ 0.5 | **missed** |"
            in text)
