"""What the processes a benchmark started cost, read from /proc: CPU-seconds and resident
memory of each service process *and every process it started* (a relay in its own process,
``ankommen-<service> relay``, a worker), so that a figure "across all services" misses none of
them however the services split their work."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat_fields(pid: int, proc: Path = PROC) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state is the first)."""
    return (proc / str(pid) / "stat").read_text().rpartition(")")[2].split()


def cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """User + system CPU time of a process and all its threads so far."""
    fields = _stat_fields(pid, proc)
    # After the command name: state is field 3 of stat(5); utime and stime are 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(proc: Path = PROC) -> dict[int, list[int]]:
    """Every running process's children, by parent pid (one pass over /proc)."""
    found: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name), proc)[1])
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        found.setdefault(parent, []).append(int(entry.name))
    return found


def with_descendants(roots: Iterable[int], proc: Path = PROC) -> list[int]:
    """The roots and every process below them, roots first."""
    tree, out, seen = children(proc), [], set()
    pending = list(roots)
    while pending:
        pid = pending.pop(0)
        if pid in seen:
            continue
        seen.add(pid)
        out.append(pid)
        pending.extend(tree.get(pid, ()))
    return out


def command_line(pid: int, proc: Path = PROC) -> str:
    try:
        return (proc / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace").strip()
    except OSError:
        return ""


def memory_kb(pid: int, key: str, proc: Path = PROC) -> int:
    """A ``VmHWM``/``VmRSS`` line of /proc/<pid>/status, in kB (0 if the process ended)."""
    try:
        for line in (proc / str(pid) / "status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


@dataclass
class ProcessTree:
    """The processes of named roots (``intake`` → its pid), found anew at every reading, so
    that a child started after the benchmark began is counted from its first reading on.

    CPU of a child that ended between two readings is lost (its parent's ``cutime`` would
    have it only once reaped); the services' children live as long as they do."""

    roots: dict[str, int]
    proc: Path = PROC

    def members(self) -> dict[str, int]:
        """A label per process: the root's name, ``<name> relay`` for a child whose command
        line says so, ``<name> child <pid>`` for any other."""
        labelled: dict[str, int] = {}
        for name, root in self.roots.items():
            for pid in with_descendants([root], self.proc):
                if pid == root:
                    labelled[name] = pid
                    continue
                words = command_line(pid, self.proc).split()
                label = f"{name} relay" if "relay" in words else f"{name} child {pid}"
                if label in labelled:
                    label = f"{label} {pid}"
                labelled[label] = pid
        return labelled

    def cpu(self) -> dict[str, float]:
        """CPU-seconds so far per process (by label)."""
        spent = {}
        for label, pid in self.members().items():
            try:
                spent[label] = cpu_seconds(pid, self.proc)
            except OSError:
                continue
        return spent

    def peak_rss_mb(self) -> dict[str, float]:
        """Peak resident set (``VmHWM``) per process, in MB."""
        return {label: memory_kb(pid, "VmHWM", self.proc) / 1024
                for label, pid in self.members().items()}


def spent_between(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU-seconds between two readings of :meth:`ProcessTree.cpu`; a process that appeared
    meanwhile counts from zero."""
    return sum(value - before.get(label, 0.0) for label, value in after.items())
