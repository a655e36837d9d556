"""One line of the benchmark table, and the table written to bench/results.json."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    benchmark: str
    what: str
    value: float
    unit: str
    baseline: float | None
    baseline_what: str
    ratio: float | None
    target: str
    met: bool
    details: dict[str, Any] = field(default_factory=dict)


def table(figures: list[Figure], database: str = "", broker: str = "") -> str:
    """The printed table, headed by the database and broker the figures were measured on."""
    on = f"on {database} with the {broker} broker" if database and broker else ""
    lines = ([on] if on else []) + [
        f"{'':3} {'figure':58} {'value':>14} {'baseline':>14} {'ratio':>7}  target"]
    for f in figures:
        baseline = "—" if f.baseline is None else f"{f.baseline:,.2f}"
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
        mark = "ok" if f.met else "MISSED"
        lines.append(f"{f.benchmark:3} {f.what[:58]:58} {f.value:>10,.2f} {f.unit:<3} "
                     f"{baseline:>14} {ratio:>7}  {f.target} [{mark}]")
    return "\n".join(lines)


#: The broker of lines written before the broker was a choice.
EARLIER_BROKER = "embedded"


def write(figures: list[Figure], database: str, broker: str = EARLIER_BROKER,
          path: Path = RESULTS) -> None:
    """Replace the lines of the benchmarks just run on this database and broker, keep the
    others (other benchmarks, other databases, other brokers side by side)."""
    old = json.loads(path.read_text()) if path.exists() else {"figures": []}
    ran = {(f.benchmark, database, broker) for f in figures}
    kept = [f for f in old.get("figures", [])
            if (f["benchmark"], f.get("database", "sqlite"), f.get("broker", EARLIER_BROKER))
            not in ran]
    kept = [{**f, "broker": f.get("broker", EARLIER_BROKER)} for f in kept]
    new = [{**asdict(f), "database": database, "broker": broker} for f in figures]
    path.write_text(json.dumps({
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "system": platform.platform(),
                    # The services' share of traces recorded (see bench.harness).
                    "trace_sample_ratio": os.environ.get("ANKOMMEN_TRACE_SAMPLE_RATIO")},
        "figures": sorted(kept + new, key=lambda f: (f["database"], f["broker"], f["benchmark"]))},
        indent=2, ensure_ascii=False) + "\n")
