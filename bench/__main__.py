"""``python -m bench [--only B1,B5]``: run the benchmarks, print the table, update
bench/results.json (only the lines of the benchmarks that ran, on this database and broker,
are replaced). The database: SQLite, or PostgreSQL when ANKOMMEN_BENCH_POSTGRES_URL is set;
the broker: the embedded one, or Apache Kafka with ANKOMMEN_BENCH_BROKER=kafka."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.harness import broker_label, database_label
from bench.results import RESULTS, table, write

BENCHMARKS = {"B1": "bench.b1_monitoring_rebuild", "B2": "bench.b2_progress_ingest",
              "B3": "bench.b3_intake_http", "B4": "bench.b4_end_to_end",
              "B5": "bench.b5_allocation", "B7": "bench.b7_progress_scale_out",
              "B8": "bench.b8_duplicate_check"}
#: Measured inside another benchmark's run.
WITHIN = {"B6": "B4"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated, e.g. B1,B5")
    chosen = [WITHIN.get(name, name) for name in (
        name.strip().upper() for name in parser.parse_args(argv).only.split(",")
        if name.strip())] or list(BENCHMARKS)
    chosen = list(dict.fromkeys(chosen))
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"not available: {', '.join(unknown)} (available: {', '.join(BENCHMARKS)}; "
              "B6 is measured during B4)", file=sys.stderr)
        return 2
    try:
        broker = broker_label()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    database = database_label()
    print(f"on {database} with the {broker} broker", flush=True)
    figures = []
    for name in chosen:
        started = time.monotonic()
        print(f"{name} …", flush=True)
        figures += importlib.import_module(BENCHMARKS[name]).run()
        print(f"{name} done in {time.monotonic() - started:.0f} s", flush=True)
    print(table(figures, database, broker))
    write(figures, database, broker)
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
