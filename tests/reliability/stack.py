"""The whole system as real processes for the reliability proof: the four services, each a
``python -m ankommen.<service> serve`` process with its own database, against a broker the
test provides, that a test can SIGKILL and restart at will. With ``separate_relays`` each
publishing service's outbox relay is a process of its own too (``… relay``, named
``<service>-relay``; the web processes then do not relay), killed and restarted the same way.

``wait_ready`` waits for ``/readyz`` (ready and connected to the broker), not for a consumer
group's (re)join after a restart, so callers that need a consumer to be caught up poll for its
effects instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ankommen.shared.stack import PUBLISHING_SERVICES, SERVICES
from tests.reliability.workload import DISTRICTS
from tests.support.polling import eventually
from tests.support.services import ServiceProcess, connected


@dataclass
class Stack:
    """Four service processes against one broker, one database URL per service."""

    bootstrap: str
    databases: dict[str, str]
    folder: Path
    #: Extra environment for every service (e.g. shorter retry delays).
    environment: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    #: Run each publishing service's outbox relay as a process of its own.
    separate_relays: bool = False
    #: Those relay processes, by name (``intake-relay`` …).
    relays: dict[str, ServiceProcess] = field(default_factory=dict)

    @property
    def processes(self) -> dict[str, ServiceProcess]:
        """Every process of the stack, services and relays, by name."""
        return {**self.services, **self.relays}

    def start(self) -> Stack:
        directory = self.folder / "municipalities.csv"
        # The workload's invented districts have no official directory: the county's own
        # file names one municipality each (docs/reference-data.md), as a county would.
        directory.write_text("ags,name\n" + "".join(
            f"{district},Kreis {district}\n{district}001,Gemeinde {district}\n"
            for district in DISTRICTS), encoding="utf-8")
        for name in SERVICES:
            prefix = f"ANKOMMEN_{name.upper()}_"
            environment = {
                "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "ANKOMMEN_LOG_LEVEL": "WARNING",
                # The synthetic county spans the workload's 25 districts (one course each).
                "ANKOMMEN_COUNTY_DISTRICTS": ",".join(DISTRICTS),
                "ANKOMMEN_MUNICIPALITY_DIRECTORY_FILE": str(directory),
                prefix + "DATABASE_URL": self.databases[name],
                prefix + "MIGRATE_ON_STARTUP": "true",
                **self.environment}
            relayed = self.separate_relays and name in PUBLISHING_SERVICES
            if relayed:
                environment[prefix + "OUTBOX_RELAY"] = "separate"
            # Each on a socket this process holds: restarted on the same port, never sharing it.
            self.services[name] = ServiceProcess.on_own_port(
                name, environment, self.folder / f"{name}.log").start()
            if relayed:
                # It waits for the outbox table that the service's start-up migration creates.
                self.relays[f"{name}-relay"] = ServiceProcess(
                    name, 0, environment, self.folder / f"{name}-relay.log",
                    command="relay").start()
        return self

    def url(self, name: str) -> str:
        return self.services[name].base_url

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    def restart(self, name: str) -> None:
        self.processes[name].start()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time each running service process has used (Linux ``/proc``), to see where a
        run's time goes."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, service in self.processes.items():
            if service.process and service.process.poll() is None:
                fields = Path(f"/proc/{service.process.pid}/stat").read_text().rsplit(")", 1)[1]
                utime, stime = fields.split()[11:13]
                used[name] = round((int(utime) + int(stime)) / ticks, 1)
        return used

    def stop(self) -> None:
        """SIGTERM to every service at once, then wait for each (SIGKILL if it hangs): one
        shutdown's time, not four in a row.

        Blocks; a test whose event loop carries a proxy the services talk through stops them
        with :meth:`stop_aside`, or they could not say goodbye to the broker or database."""
        for service in self.processes.values():
            if service.process and service.process.poll() is None:
                service.process.terminate()
        for service in self.processes.values():
            service.stop()

    async def stop_aside(self) -> None:
        """:meth:`stop` in a worker thread, so that this event loop keeps serving meanwhile."""
        await asyncio.to_thread(self.stop)

    async def wait_ready(self, *names: str, deadline: float = 90) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            for name in names or tuple(self.services):
                await eventually(lambda name=name: client.get(self.url(name) + "/readyz"),
                                 until=connected, timeout=deadline, interval=0.2,
                                 what=f"{name} ready and connected to the broker")


@contextlib.contextmanager
def running_stack(bootstrap: str, databases: dict[str, str], folder: Path, *,
                  separate_relays: bool = False, **environment: str) -> Iterator[Stack]:
    stack = Stack(bootstrap, databases, folder, environment,
                  separate_relays=separate_relays).start()
    try:
        yield stack
    finally:
        stack.stop()
