"""Time is a dependency (issue 16): no service reads the system clock behind its clock's back.

A hidden ``date.today()`` in domain, service, adapter or entrypoint code cannot be moved by a
test, so a test (or the simulated county year) could not move that service through days. Each
service gets its time from ``runtime.clock`` (:mod:`ankommen.shared.clock`) and passes it down;
this test reads the source (AST, so neither comments nor strings count) and names every call
of the system clock that is not on the list of exceptions below.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.source_tree import source_tree_lock

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "assignment", "progress", "monitoring")
LAYERS = ("domain", "service", "adapters", "entrypoints")

#: ``(module, function)`` pairs that read the system clock.
SYSTEM_CLOCK = {("date", "today"), ("datetime", "today"), ("datetime", "now"),
                ("datetime", "utcnow"), ("time", "time")}

#: Files allowed to read the wall clock, each with the reason. Nothing else is.
WALL_TIME_NEEDED = {
    # The public rate limiter (the ``limits`` library) keeps its windows in wall-clock
    # seconds (time.time()); the Retry-After header is measured against that same clock.
    "services/monitoring/src/ankommen/monitoring/entrypoints/limits.py",
}


def system_clock_calls(source: str) -> list[tuple[int, str]]:
    """The line and text of each call of the system clock in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) in SYSTEM_CLOCK:
            found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def service_modules() -> list[Path]:
    modules = []
    for service in SERVICES:
        package = ROOT / "services" / service / "src" / "ankommen" / service
        modules.append(package / "app.py")
        for layer in LAYERS:
            modules += sorted((package / layer).rglob("*.py"))
    return modules


def test_no_service_code_reads_the_system_clock_except_where_wall_time_is_needed():
    with source_tree_lock():  # not while the architecture test plants a probe module
        offending = [f"{path.relative_to(ROOT)}:{line}: {call}"
                     for path in service_modules()
                     if str(path.relative_to(ROOT)) not in WALL_TIME_NEEDED
                     for line, call in system_clock_calls(path.read_text())]
    assert not offending, "read the service's clock (runtime.clock / uow.clock) instead:\n" + \
        "\n".join(offending)


def test_the_scan_finds_each_way_of_reading_the_system_clock():
    source = "\n".join([
        "import datetime as dt, time",
        "from datetime import UTC, date, datetime",
        "a = date.today()",
        "b = datetime.now(UTC)",
        "c = datetime.utcnow()",
        "d = time.time()",
        "e = dt.datetime.now()",
        "f = clock.now()  # the injected clock: allowed",
        "g = 'date.today()'  # a string: not a call",
    ])
    assert [line for line, _ in system_clock_calls(source)] == [3, 4, 5, 6, 7]


def test_every_exception_still_exists_and_still_needs_the_wall_clock():
    """A stale exception would silently allow the next hidden clock in that file."""
    for name in WALL_TIME_NEEDED:
        assert system_clock_calls((ROOT / name).read_text()), name
