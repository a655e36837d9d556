"""Service boundaries are enforced: import-linter's contracts hold (no service imports another,
the shared library imports no service)."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The probe test puts a forbidden import into the tree for a moment; a check on another
#: worker must not run while it is there (nor the probe while a check runs).
LOCK = Path(tempfile.gettempdir()) / "ankommen-architecture-tests.lock"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return subprocess.run([executable, "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_import_contracts_hold():
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_an_import_between_services_breaks_the_contract(tmp_path):
    offending = ROOT / "services/progress/src/ankommen/progress/_contract_probe.py"
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        offending.write_text("import ankommen.assignment.app  # deliberately forbidden\n")
        try:
            result = lint_imports(ROOT)
        finally:
            offending.unlink()
    assert result.returncode != 0
    assert "Services are independent of each other BROKEN" in result.stdout
