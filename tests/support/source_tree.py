"""No test writes into the source tree while it runs.

Tests write to temporary folders only; a file that appears or changes in the checkout during
the run (a database, a screenshot, a log, a cache) would dirty a developer's tree and hide
state between runs. The session records the tree's files when it starts and fails at the end
if any appeared or changed. The installed environments (``.venv``, ``.tools``) and git's own
folder are not the source tree, and the one file a run is asked to write there — ``make
verify``'s figures (``ANKOMMEN_FIGURES_FILE``, ``var/verify/figures.json``) — is its output.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = {".git", ".venv", ".tools", "node_modules"}
#: Hypothesis keeps caches (examples, constants, Unicode tables) in ``.hypothesis`` under the
#: working directory — the checkout — unless told otherwise.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "ankommen-hypothesis"
#: The one exception to "no test writes into the tree": the architecture test plants a module
#: with a forbidden import for a moment (import-linter reads the installed, editable packages).
PROBE_LOCK = Path(tempfile.gettempdir()) / "ankommen-architecture-tests.lock"


@contextlib.contextmanager
def source_tree_lock(*, planting: bool = False) -> Iterator[None]:
    """Held while a test plants a probe module (``planting``: alone) or reads the services'
    sources (together with other readers): a reader in another worker never sees a probe
    appear or vanish under it."""
    with PROBE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if planting else fcntl.LOCK_SH)
        yield


def keep_hypothesis_out_of_the_tree() -> None:
    set_hypothesis_home_dir(HYPOTHESIS_HOME)


def snapshot(root: Path = ROOT) -> dict[str, int]:
    """Every file below ``root`` (outside the installed environments) with its mtime."""
    files: dict[str, int] = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE]
        for name in names:
            path = os.path.join(folder, name)
            try:
                files[os.path.relpath(path, root)] = os.stat(path).st_mtime_ns
            except FileNotFoundError:
                continue
    return files


def written_since(before: dict[str, int], root: Path = ROOT) -> list[str]:
    after = snapshot(root)
    requested = _requested_output(root)
    return sorted(path for path, mtime in after.items()
                  if before.get(path) != mtime and path != requested)


def _requested_output(root: Path) -> str | None:
    figures = os.environ.get("ANKOMMEN_FIGURES_FILE")
    return os.path.relpath(Path(figures).resolve(), root) if figures else None
