"""Service boundaries are enforced: import-linter's contracts hold (no service imports another,
the shared library imports no service, each service keeps its layers, nothing a production image
runs imports development tooling) — and each contract breaks when the import it forbids appears."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.source_tree import source_tree_lock

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return subprocess.run([executable, "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_import_contracts_hold():
    with source_tree_lock():
        result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken" in result.stdout


PROGRESS = ROOT / "services/progress/src/ankommen/progress"


@pytest.mark.parametrize(("folder", "forbidden_import", "contract"), [
    # another service's code
    (PROGRESS, "import ankommen.assignment.app", "Services are independent of each other"),
    # the domain reaching up into the service layer (layers hold by check, not by habit)
    (PROGRESS / "domain", "import ankommen.progress.service.reporting",
     "Each service is layered: entrypoints → service → adapters → domain"),
    # an adapter reaching up into the entry points
    (PROGRESS / "adapters", "import ankommen.progress.entrypoints.http",
     "Each service is layered: entrypoints → service → adapters → domain"),
    # development tooling in what a production image runs
    (PROGRESS / "service", "import ankommen.tools.embedded",
     "Services never import development tooling"),
], ids=["between-services", "domain-imports-service", "adapter-imports-entrypoint",
        "service-imports-embedded-broker"])
def test_a_forbidden_import_breaks_its_contract(folder: Path, forbidden_import: str,
                                                contract: str):
    offending = folder / "_contract_probe.py"
    with source_tree_lock(planting=True):
        offending.write_text(f"{forbidden_import}  # deliberately forbidden\n")
        try:
            result = lint_imports(ROOT)
        finally:
            offending.unlink()
    report = " ".join(result.stdout.split())
    assert result.returncode != 0
    assert f"{contract} BROKEN" in report, report
    assert "Contracts: 3 kept, 1 broken" in report, report
