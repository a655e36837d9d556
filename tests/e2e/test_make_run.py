"""``ankommen run`` (what ``make run`` starts): the whole embedded stack as real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from ankommen.shared.auth import Role
from ankommen.shared.embedded import SERVICES, free_port, port_open
from tests.support.polling import eventually
from tests.support.services import token
from tests.support.surveys import registration

pytestmark = pytest.mark.slow


async def test_embedded_stack_is_ready_in_a_minute_and_counts_a_registration_within_5_s(
        tmp_path):
    ports = {name: free_port() for name in SERVICES}
    environment = {**os.environ, "ANKOMMEN_DATA_DIR": str(tmp_path / "var"),
                   "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
                   **{f"ANKOMMEN_{name.upper()}_HTTP_PORT": str(port)
                      for name, port in ports.items()}}
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115, ASYNC230
    started = time.monotonic()
    stack = subprocess.Popen(  # noqa: ASYNC220 - the stack runs beside the test
        [sys.executable, "-m", "ankommen.shared.cli.main", "run"],
        env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            for name, port in ports.items():
                await eventually(lambda port=port: client.get(f"http://127.0.0.1:{port}/readyz"),
                                 until=lambda response: response.status_code == 200,
                                 timeout=max(1.0, 60 - (time.monotonic() - started)),
                                 interval=0.2, what=f"{name} ready within 60 s")
            status = f"http://127.0.0.1:{ports['monitoring']}/status"
            admin = token(Role.ADMIN)

            def arrivals(response: httpx.Response) -> int:
                return sum(row["applied"] for row in response.json()["by_type"]
                           if row["type"] == "ankommen.intake.arrival_recorded.v1")

            before = arrivals(await client.get(status, headers=admin))
            response = await client.post(f"http://127.0.0.1:{ports['intake']}/cases",
                                         json=registration(),
                                         headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201
            await eventually(lambda: client.get(status, headers=admin),
                             until=lambda response: arrivals(response) == before + 1,
                             timeout=5, interval=0.1, what="monitoring count raised within 5 s")
        assert (tmp_path / "var" / "intake.db").exists()
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            code = stack.wait(30)
        finally:
            if stack.poll() is None:
                stack.kill()
            log.close()
    assert code == 0, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
    # Ctrl-C stopped every service and the broker: nothing listens any more.
    broker_port = int(environment["ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS"].rpartition(":")[2])
    assert not any(port_open("127.0.0.1", port) for port in [*ports.values(), broker_port])
