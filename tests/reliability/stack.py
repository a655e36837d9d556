"""The whole system as real processes for the reliability proof: the embedded broker and the
four services, each a ``python -m ankommen.<service> serve`` process with its own database,
that a test can SIGKILL and restart at will.

Consumer-group rejoins after a restart take 15–20 s on the embedded broker; ``wait_ready``
waits for ``/readyz`` (database and broker reachable), not for the group join, so callers that
need a consumer to be caught up poll for its effects instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ankommen.shared.embedded import SERVICES, EmbeddedBroker, free_port
from tests.support.polling import eventually
from tests.support.services import ServiceProcess


@dataclass
class Stack:
    """Four service processes against one broker, one database URL per service."""

    bootstrap: str
    databases: dict[str, str]
    folder: Path
    #: Extra environment for every service (e.g. shorter retry delays).
    environment: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def start(self) -> Stack:
        for name in SERVICES:
            prefix = f"ANKOMMEN_{name.upper()}_"
            port = free_port()
            self.services[name] = ServiceProcess(name, port, {
                "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "ANKOMMEN_LOG_LEVEL": "WARNING",
                prefix + "DATABASE_URL": self.databases[name],
                prefix + "HTTP_PORT": str(port),
                prefix + "MIGRATE_ON_STARTUP": "true",
                **self.environment}, self.folder / f"{name}.log").start()
        return self

    def url(self, name: str) -> str:
        return self.services[name].base_url

    def kill(self, name: str) -> None:
        self.services[name].kill()

    def restart(self, name: str) -> None:
        self.services[name].start()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time each running service process has used (Linux ``/proc``), to see where a
        run's time goes."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, service in self.services.items():
            if service.process and service.process.poll() is None:
                fields = Path(f"/proc/{service.process.pid}/stat").read_text().rsplit(")", 1)[1]
                utime, stime = fields.split()[11:13]
                used[name] = round((int(utime) + int(stime)) / ticks, 1)
        return used

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    async def wait_ready(self, *names: str, deadline: float = 90) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            for name in names or tuple(self.services):
                await eventually(lambda name=name: client.get(self.url(name) + "/readyz"),
                                 until=lambda response: response.status_code == 200,
                                 timeout=deadline, interval=0.2, what=f"{name} ready")


@contextlib.contextmanager
def running_stack(broker: EmbeddedBroker, databases: dict[str, str], folder: Path,
                  **environment: str) -> Iterator[Stack]:
    stack = Stack(broker.bootstrap_servers, databases, folder, environment).start()
    try:
        yield stack
    finally:
        stack.stop()
