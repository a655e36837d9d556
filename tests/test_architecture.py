"""Service boundaries are enforced: import-linter's contracts hold (no service imports another,
the shared library imports no service)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return subprocess.run([executable, "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_an_import_between_services_breaks_the_contract(tmp_path):
    offending = ROOT / "services/progress/src/ankommen/progress/_contract_probe.py"
    offending.write_text("import ankommen.assignment.app  # deliberately forbidden\n")
    try:
        result = lint_imports(ROOT)
    finally:
        offending.unlink()
    assert result.returncode != 0
    assert "Services are independent of each other BROKEN" in result.stdout
