"""The shared library and the services type-check: pyright in strict mode (`[tool.pyright]` in
pyproject.toml, the same check as `make lint`) reports no error, so that a change which breaks a
signature somewhere else fails the suite, not only a developer's `make lint`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.source_tree import source_tree_lock

ROOT = Path(__file__).resolve().parents[1]


def test_pyright_strict_reports_no_error():
    executable = shutil.which("pyright", path=str(Path(sys.executable).parent))
    assert executable, "pyright is a development dependency: uv sync installs it"
    # ``--project`` names the configuration: without it pyright takes the first
    # pyrightconfig.json it finds in a parent folder (a stray one in /tmp, above a clone there,
    # once made it check the whole of /tmp).
    with source_tree_lock():  # not while the architecture test plants a probe module
        result = subprocess.run([executable, "--outputjson", "--project", str(ROOT)],
                                cwd=ROOT, capture_output=True, text=True, timeout=280)
    report = json.loads(result.stdout)
    errors = [f"{d['file']}:{d['range']['start']['line'] + 1}: "
              f"{d['message']} ({d.get('rule', '')})"
              for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert report["summary"]["filesAnalyzed"] > 200, report["summary"]
    assert not errors, "\n".join(errors[:40])
