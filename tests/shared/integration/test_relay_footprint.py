"""A relay process (``ankommen-<service> relay``) holds what relaying needs, not the service
(issue 21, B6: at most 150 MB per process): it reads the outbox and sends, so the web app, its
templates, the PDF libraries, OR-Tools and Alembic are never imported there. Each service's
relay, started as deployed, is looked at while it waits for its outbox table (no broker needed
for that): its imports (``-X importtime``) and its peak resident set."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.polling import eventually

#: What a relay must not import: the composition root pulls in everything else listed.
NOT_IN_A_RELAY = ("app", "fpdf", "fontTools", "PIL", "ortools", "alembic")
#: B6's target for every service process.
PEAK_RSS_MB = 150


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for process {pid}")


def imported(log: str) -> set[str]:
    """The modules ``-X importtime`` reported (``import time: self | cumulative | name``)."""
    return {line.rsplit("|", 1)[1].strip() for line in log.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def start_relay(service: str, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """The relay as deployed, on a database nobody migrated and a broker nobody runs."""
    prefix = f"ANKOMMEN_{service.upper()}_"
    environment = {**os.environ, "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
                   f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'none.db'}",
                   f"{prefix}OUTBOX_RELAY": "separate", "ANKOMMEN_LOG_LEVEL": "INFO"}
    return subprocess.Popen([sys.executable, "-X", "importtime", "-m", f"ankommen.{service}",
                             "relay"], env=environment, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)


@pytest.mark.parametrize("service", ["intake", "assignment", "progress"])
async def test_a_relay_process_imports_only_what_relaying_needs(service: str,
                                                                tmp_path: Path) -> None:
    log = tmp_path / "relay.log"
    relay = start_relay(service, tmp_path, log)
    try:
        await eventually(lambda: asyncio.sleep(0, log.read_text()),
                         until=lambda text: "outbox relay waiting for the database" in text,
                         timeout=60, what=f"{service}'s relay waiting for its outbox")
        peak = peak_rss_mb(relay.pid)
        relay.send_signal(signal.SIGTERM)
        assert relay.wait(15) == 0, log.read_text()[-2000:]
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait(10)
    modules = imported(log.read_text())
    assert f"ankommen.{service}.definition" in modules  # what it does need, seen
    unwanted = {f"ankommen.{service}.{name}" if name == "app" else name
                for name in NOT_IN_A_RELAY}
    assert not modules & unwanted, sorted(modules & unwanted)
    print(f"\n{service} relay: peak RSS {peak:.1f} MB while waiting for its outbox")
    assert peak <= PEAK_RSS_MB
