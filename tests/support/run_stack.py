"""``ankommen run`` — what ``make run`` starts — as a real process on free ports, with its own
data dir, so that a test can stop it like a person (Ctrl-C) and start it again on the same data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ankommen.shared.stack import SERVICES
from ankommen.tools.embedded import free_port, listening_socket, port_open
from tests.support.brokers import APACHE_KAFKA
from tests.support.polling import eventually
from tests.support.services import connected

#: The ``ANKOMMEN_EMBEDDED_BROKER`` value that forces a test's broker kind.
EMBEDDED_BROKER = {APACHE_KAFKA: "kafka", "tansu": "tansu"}


@dataclass
class AnkommenRun:
    """The whole embedded stack under ``folder`` (its data dir is ``folder/var``)."""

    folder: Path
    broker_kind: str = APACHE_KAFKA
    #: More settings for the services (e.g. monitoring's disclosure rules).
    settings: dict[str, str] = field(default_factory=dict)
    #: Each service's port, chosen at the first start and kept for the later ones.
    ports: dict[str, int] = field(default_factory=dict)
    broker_port: int = field(default_factory=free_port)
    #: The development identity provider's port (``ankommen run`` starts it).
    identity_provider_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def data_dir(self) -> Path:
        return self.folder / "var"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def log_file(self) -> Path:
        return self.folder / "run.log"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "ANKOMMEN_DATA_DIR": str(self.data_dir),
                "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                "ANKOMMEN_EMBEDDED_BROKER": EMBEDDED_BROKER[self.broker_kind],
                "ANKOMMEN_DEV_IDP_PORT": str(self.identity_provider_port),
                **{f"ANKOMMEN_{name.upper()}_HTTP_PORT": str(port)
                   for name, port in self.ports.items()},
                **self.settings}

    def credentials(self, user: str) -> dict[str, str]:
        """``user``'s Kafka principal, as ``ankommen run`` generated it (none on Tansu)."""
        file = self.data_dir / "kafka" / "credentials" / user
        if not file.exists():
            return {}
        return {"ANKOMMEN_KAFKA_USERNAME": user, "ANKOMMEN_KAFKA_PASSWORD_FILE": str(file)}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> AnkommenRun:
        """``ankommen run`` with a listening socket per service, bound here and handed down
        (``ankommen run`` passes each on to its service and closes its own copy, as we do):
        no other process can take a port between its choice and the service serving on it.
        A later start binds the same ports again — loudly failing if someone took one."""
        self.starts += 1
        listeners = {name: listening_socket(port=self.ports.get(name, 0)) for name in SERVICES}
        self.ports.update({name: listener.getsockname()[1]
                           for name, listener in listeners.items()})
        sockets = {f"ANKOMMEN_{name.upper()}_HTTP_FD": str(listener.fileno())
                   for name, listener in listeners.items()}
        try:
            with open(self.log_file, "ab") as log:
                log.write(f"\n--- start {self.starts} ---\n".encode())
                log.flush()
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "ankommen.shared.cli.main", "run"],
                    env={**self.environment(), **sockets}, stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=[listener.fileno() for listener in listeners.values()])
        finally:
            for listener in listeners.values():
                listener.close()
        return self

    async def ready(self, client: httpx.AsyncClient, within: float = 90.0) -> None:
        """Until every service is ready and connected to the broker (``/readyz``)."""
        deadline = time.monotonic() + within
        for name in SERVICES:
            try:
                await eventually(lambda name=name: client.get(f"{self.url(name)}/readyz"),
                                 until=connected,
                                 timeout=max(1.0, deadline - time.monotonic()), interval=0.2,
                                 what=f"{name} ready and connected to the broker")
            except AssertionError as error:
                raise AssertionError(f"{error}\n{self.log_tail()}") from None

    def interrupt(self, within: float = 60.0) -> int:
        """Ctrl-C: SIGINT to ``ankommen run``, which stops the services, then the broker."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(within)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def nothing_listens(self) -> bool:
        return not any(port_open("127.0.0.1", port)
                       for port in [*self.ports.values(), self.broker_port,
                                    self.identity_provider_port])

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_file.read_text(errors="replace")[-characters:] \
            if self.log_file.exists() else ""
