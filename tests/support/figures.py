"""Figures of a verification run (faults injected, events, losses, fuzz cases, …).

Tests of the reliability proof call :func:`record` with what they measured; the figures land in
one JSON file per run so that ``docs/reliability.md`` can quote a real run instead of promises.
Only a run that asks for figures records them (``ANKOMMEN_FIGURES_FILE``, which ``make verify``
sets to ``var/verify/figures.json``): an ordinary test run writes nothing into the source tree.
Recording never fails a test.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path("var/verify/figures.json")


def figures_file() -> Path:
    """Where the figures of a run are (read by the report even when the tests did not ask)."""
    return Path(os.environ.get("ANKOMMEN_FIGURES_FILE", DEFAULT_FILE))


def record(section: str, name: str, value: Any) -> None:  # noqa: ANN401 - JSON-serialisable figure
    """Store one figure under ``section`` (e.g. "crash consistency") and ``name`` — if this run
    records figures at all."""
    if "ANKOMMEN_FIGURES_FILE" not in os.environ:
        return
    path = figures_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        figures = {}
    figures.setdefault(section, {})[name] = value
    figures["recorded_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load() -> dict[str, Any]:
    """All figures of the latest run (empty if none was recorded)."""
    try:
        return json.loads(figures_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
