"""Services as real OS processes for the benchmarks (``python -m ankommen.<service> serve``,
uvicorn, as deployed), their peak memory, and reading topics and databases from outside —
the benchmarks observe the services only through their front doors, their topics and their
databases, never through a test-only backdoor."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import topic_plan
from bench.processes import ProcessTree
from tests.support.services import ServiceProcess, connected
from tests.support.tokens import bearer

#: Each publishing service's outbox relay in a process of its own (``python -m
#: ankommen.<service> relay``, issue 21 item 2), as ``make run`` and compose run it — the
#: default; ``ANKOMMEN_BENCH_RELAY=inline`` measures the relay inside the web process.
RELAY = os.environ.get("ANKOMMEN_BENCH_RELAY", "separate").strip().lower()
PUBLISHING = ("intake", "assignment", "progress")


@dataclass
class RelayProcess(ServiceProcess):
    """A service's outbox relay as its own process (no HTTP, no port)."""

    def start(self) -> RelayProcess:
        log = open(self.log_file, "ab")  # noqa: SIM115 - kept open for the process's life
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"ankommen.{self.name}", "relay"],
            env={**os.environ, **self.environment}, stdout=log, stderr=subprocess.STDOUT)
        return self


@dataclass
class AppProcess(ServiceProcess):
    """Any ASGI app factory under uvicorn with the options ``ankommen.<service> serve`` uses
    (no access log, default loop and HTTP implementation)."""

    factory: str = ""

    def start(self) -> AppProcess:
        log = open(self.log_file, "ab")  # noqa: SIM115 - kept open for the process's life
        command = ([sys.executable, "-m", "bench.serve_app", self.factory,
                    str(self.listener.fileno())] if self.listener else
                   [sys.executable, "-m", "uvicorn", self.factory, "--factory",
                    "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                    "--no-proxy-headers", "--log-level", "warning"])
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **self.environment}, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=self.inherited)
        return self


def headers(role: Role, provider_id: str | None = None) -> dict[str, str]:
    return bearer(role, provider_id, subject="bench")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (``VmHWM`` of /proc/<pid>/status), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


@dataclass
class Stack:
    """Running service processes; several instances of one service share its database."""

    bootstrap: str
    folder: Path
    databases: dict[str, str]
    instances: dict[str, list[ServiceProcess]] = field(default_factory=dict)

    def url(self, service: str, instance: int = 0) -> str:
        return self.instances[service][instance].base_url

    async def start(self, service: str, **settings: str) -> ServiceProcess:
        """One more instance of ``service``, returned once ``/readyz`` answers 200."""
        number = len(self.instances.setdefault(service, []))
        prefix = f"ANKOMMEN_{service.upper()}_"
        environment = {"ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                       "ANKOMMEN_DATA_DIR": str(self.folder),
                       "ANKOMMEN_LOG_LEVEL": "WARNING",
                       f"{prefix}DATABASE_URL": self.databases[service],
                       **{prefix + name.upper(): value for name, value in settings.items()}}
        separate = RELAY == "separate" and service in PUBLISHING
        if separate:
            environment[prefix + "OUTBOX_RELAY"] = "separate"
        if not number:
            await self._migrate(service, environment)
        # As deployed (docker-compose.yml's <service>-migrate one-shots): the web process does
        # not migrate, so it never holds Alembic and the migration scripts (~9 MB, B6).
        environment[prefix + "MIGRATE_ON_STARTUP"] = "false"
        process = ServiceProcess.on_own_port(service, environment,
                                             self.folder / f"{service}-{number}.log").start()
        self.instances[service].append(process)
        await self._ready(process)
        if separate:
            relay = RelayProcess(service, 0, environment,
                                 self.folder / f"{service}-relay-{number}.log").start()
            self.instances.setdefault(f"{service} relay", []).append(relay)
        return process

    async def _migrate(self, service: str, environment: dict[str, str]) -> None:
        """``ankommen-<service> migrate``, a process of its own as in production."""
        migrating = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"ankommen.{service}", "migrate",
            env={**os.environ, **environment}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output, _ = await migrating.communicate()
        if migrating.returncode:
            raise RuntimeError(f"{service} could not migrate:\n{output.decode()[-2000:]}")

    async def start_app(self, name: str, factory: str, environment: dict[str, str]
                        ) -> ServiceProcess:
        """A benchmark's own ASGI app (a baseline), served like the services."""
        process = AppProcess.on_own_port(name, environment, self.folder / f"{name}.log",
                                         factory=factory).start()
        self.instances.setdefault(name, []).append(process)
        return await self._ready(process)

    async def _ready(self, process: ServiceProcess) -> ServiceProcess:
        service = process.name
        async with httpx.AsyncClient(base_url=process.base_url) as client:
            deadline = time.monotonic() + 120
            while True:
                if process.process.poll() is not None:
                    raise RuntimeError(f"{service} exited at start-up; see "
                                       f"{process.log_file}")
                with contextlib.suppress(httpx.HTTPError):
                    if connected(await client.get("/readyz")):
                        return process
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service} not ready after 120 s")
                await asyncio.sleep(0.2)

    def peak_memory(self) -> dict[str, float]:
        """Peak RSS in MB per running instance (``intake``, ``progress-2`` …)."""
        return {(name if len(processes) == 1 else f"{name}-{number}"):
                peak_rss_mb(process.process.pid)
                for name, processes in self.instances.items()
                for number, process in enumerate(processes)}

    def processes(self, *names: str) -> ProcessTree:
        """The running instances (of ``names``, or all) with every process they started."""
        return ProcessTree({(name if len(processes) == 1 else f"{name}-{number}"):
                            process.process.pid
                            for name, processes in self.instances.items()
                            if not names or name in names
                            for number, process in enumerate(processes)})

    def stop(self) -> None:
        for processes in self.instances.values():
            for process in processes:
                process.stop()


@contextlib.asynccontextmanager
async def stack(bootstrap: str, folder: Path, databases: dict[str, str]
                ) -> AsyncIterator[Stack]:
    running = Stack(bootstrap, folder, databases)
    try:
        yield running
    finally:
        running.stop()


async def scalar(database_url: str, query: str) -> Any:
    """One value read from a service's database (read-only observation from outside)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(query))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def watching(database_url: str) -> AsyncIterator[Callable[[str], Awaitable[Any]]]:
    """Reads of one value each from a service's database over one kept connection, each in a
    fresh snapshot: cheap enough to poll every few milliseconds (:func:`scalar` opens and
    closes an engine per read)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            async def read(query: str) -> Any:
                value = await connection.scalar(text(query))
                await connection.commit()  # a fresh snapshot for the next read
                return value

            yield read
    finally:
        await engine.dispose()


async def wait_until(check: Callable[[], Any], what: str, limit: float,
                     interval: float = 0.1) -> float:
    """Poll ``check`` (async, truthy when done); returns the monotonic time it held."""
    deadline = time.monotonic() + limit
    while True:
        if await check():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


class TopicReader:
    """Every message of a topic from the beginning, partitions assigned directly (no group
    join), each with the monotonic time the benchmark received it."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                         auto_offset_reset="earliest")
        self.messages: list[tuple[float, bytes | None, dict[str, Any]]] = []
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> TopicReader:
        await self.consumer.start()
        # The partitions from our own topic plan: a fresh client knows no topic yet.
        assigned = [TopicPartition(self.topic, partition)
                    for partition in range(topic_plan()[self.topic])]
        self.consumer.assign(assigned)
        await self.consumer.seek_to_beginning(*assigned)
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.monotonic()
            for records in batches.values():
                self.messages.extend((now, record.key, json.loads(record.value))
                                     for record in records)

    async def __aexit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.consumer.stop()
