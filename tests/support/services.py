"""Running our services for tests: in-process (ASGI app with its lifespan, real broker and
database) or as real processes (for crash and whole-system tests)."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace import TracerProvider

from ankommen.shared.clock import Clock
from ankommen.shared.identity.auth import Role
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.web.pages import session_cookie
from ankommen.tools.embedded import listening_socket
from tests.support.tokens import bearer

SETTINGS_CLASSES = {
    "intake": "ankommen.intake.config:IntakeSettings",
    "assignment": "ankommen.assignment.config:AssignmentSettings",
    "progress": "ankommen.progress.config:ProgressSettings",
    "monitoring": "ankommen.monitoring.config:MonitoringSettings",
}


def connected(response: httpx.Response) -> bool:
    """``/readyz``: ready, and connected to the broker as well (a service is ready without the
    broker; tests that feed events want both)."""
    return response.status_code == 200 and response.json().get("connected") is True


#: The ``Authorization`` header of a token for a role (tests import it from here).
token = bearer


def settings_for(service: str, **values: object):  # noqa: ANN201 - the service's settings
    module, _, name = SETTINGS_CLASSES[service].partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(_env_file=None, **values)


def _injected(service: str, clock: Clock | None, rules: object) -> dict[str, object]:
    """``clock`` for every service, ``rules`` for monitoring only."""
    injected: dict[str, object] = {} if clock is None else {"clock": clock}
    if service == "monitoring" and rules is not None:
        injected["rules"] = rules
    return injected


@dataclass
class RunningService:
    name: str
    client: httpx.AsyncClient
    runtime: ServiceRuntime

    @property
    def session_cookie(self) -> str:
        """This service's session cookie's name (each service has its own)."""
        return session_cookie(self.name)

    def sign_in_with(self, token: str) -> None:
        """The client signed in by a pasted token, as ``POST /login`` leaves it (development
        sign-in): the token in this service's session cookie."""
        self.client.cookies.set(self.session_cookie, token)


@contextlib.asynccontextmanager
async def in_process(service: str, *, bootstrap: str, database_url: str,
                     tracer_provider: TracerProvider | None = None,
                     clock: Clock | None = None, rules: object = None,
                     **settings: object) -> AsyncIterator[RunningService]:
    """The service's real app, lifespan included, served over an in-memory ASGI transport.

    ``clock`` (a :class:`~ankommen.shared.clock.Clock`) is the service's time; ``rules`` (a
    ``PublicationRules``) reach monitoring only; other services ignore them."""
    app_module = importlib.import_module(f"ankommen.{service}.app")
    config = settings_for(service, kafka_bootstrap_servers=bootstrap, database_url=database_url,
                          migrate_on_startup=True, **settings)
    app = app_module.create_app(config, tracer_provider=tracer_provider,
                                **_injected(service, clock, rules))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
            yield RunningService(service, client, app.state.runtime)


@contextlib.asynccontextmanager
async def served_over_http(service: str, *, bootstrap: str, database_url: str,
                           tracer_provider: TracerProvider | None = None,
                           clock: Clock | None = None, rules: object = None,
                           listener: socket.socket | None = None,
                           **settings: object) -> AsyncIterator[tuple[str, RunningService]]:
    """The service's real app on a real TCP port (for the browser), in this event loop;
    on ``listener`` if given (a port that had to be known before, e.g. for an identity
    provider's redirect URI), which is closed afterwards."""
    import asyncio

    import uvicorn

    from ankommen.shared.cli.service import server_config

    # Bound and listening before anything else can take the port (free_port's race).
    listener = listener or listening_socket()
    port = listener.getsockname()[1]
    app_module = importlib.import_module(f"ankommen.{service}.app")
    config = settings_for(service, kafka_bootstrap_servers=bootstrap, database_url=database_url,
                          migrate_on_startup=True, **settings)
    app = app_module.create_app(config, tracer_provider=tracer_provider,
                                **_injected(service, clock, rules))
    # Served as ``serve`` serves it (proxy headers included), on a port of its own.
    server = uvicorn.Server(server_config(app, config, host="127.0.0.1", port=port,
                                          lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url) as client:
            yield base_url, RunningService(service, client, app.state.runtime)
    finally:
        server.should_exit = True
        await task
        listener.close()


@dataclass
class ServiceProcess:
    """A service as a real OS process (``python -m ankommen.<service> serve``, or another
    ``command`` such as ``relay``, which serves no HTTP and needs no port).

    Made by :meth:`on_own_port`, it serves on a socket this process bound and keeps for the
    service's every start (a restart after a kill comes back on the same port, and no other
    process can take it meanwhile — a probed free port could be taken by another test worker
    between probe and bind, and a test then talked to the wrong service)."""

    name: str
    port: int
    environment: dict[str, str]
    log_file: Path
    process: subprocess.Popen | None = None
    listener: socket.socket | None = None
    command: str = "serve"

    @classmethod
    def on_own_port(cls, name: str, environment: dict[str, str], log_file: Path,
                    **more: object) -> Self:
        listener = listening_socket()
        port = listener.getsockname()[1]
        prefix = f"ANKOMMEN_{name.upper()}_"
        return cls(name, port, {**environment, prefix + "HTTP_PORT": str(port),
                                prefix + "HTTP_FD": str(listener.fileno())},
                   log_file, listener=listener, **more)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def inherited(self) -> tuple[int, ...]:
        """The file descriptors the process gets: its listening socket."""
        return (self.listener.fileno(),) if self.listener else ()

    def start(self) -> ServiceProcess:
        log = open(self.log_file, "ab")  # noqa: SIM115 - kept open for the process's life
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"ankommen.{self.name}", self.command],
            env={**os.environ, **self.environment}, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=self.inherited)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM (SIGKILL if it hangs), and the port given up: this is the last stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.listener:
            self.listener.close()


async def one_registration_reached_every_service(system: dict[str, RunningService]) -> None:
    """Wait until the one registration made at intake is at assignment (waiting list),
    progress (its cases) and monitoring (an arrival fact), each exactly once."""
    from tests.support.polling import eventually

    coordinator = token(Role.COORDINATOR)

    async def waiting() -> int:
        return (await system["assignment"].client.get(
            "/waiting-list", headers=coordinator)).json()["count"]

    async def known() -> int:
        return (await system["progress"].client.get(
            "/cases/count", headers=coordinator)).json()["count"]

    async def arrivals() -> int:
        status = (await system["monitoring"].client.get(
            "/status", headers=token(Role.ADMIN))).json()
        return sum(row["applied"] for row in status["by_type"]
                   if row["type"] == "ankommen.intake.arrival_recorded.v1")

    assert await eventually(waiting, what="assignment has the case") == 1
    assert await eventually(known, what="progress has the case") == 1
    assert await eventually(arrivals, what="monitoring counted the arrival") == 1
