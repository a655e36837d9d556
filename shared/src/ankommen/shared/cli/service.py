"""The command line every service offers (``ankommen-<service> serve|relay|migrate|outbox|
asyncapi``),
built once.

The service hands in how to build its settings and its runtime; the commands are the same for
all four, so operators learn them once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
import uvicorn
from uvicorn.importer import import_from_string

from ankommen.shared.db.unit_of_work import UnitT
from ankommen.shared.messaging.asyncapi import render
from ankommen.shared.messaging.relay import parked_rows, release_parked
from ankommen.shared.runtime import ServiceDefinition, ServiceRuntime, SettingsT
from ankommen.shared.settings import ServiceSettings, SettingsError, load_settings
from ankommen.shared.telemetry import configure_logging

#: How long an idle kept-alive connection stays open. Longer than the idle timeout of every
#: client and proxy in front of a service (httpx 5 s, nginx's upstream keepalive 60 s), so
#: that the client is always the one to close it: with uvicorn's 5 s, equal to httpx's, a
#: request sent the moment the server closed its connection was lost ("Server disconnected
#: without sending a response" — the demo test, 5 December).
KEEP_ALIVE_SECONDS = 65


def server_config(app: str | Callable[..., Any], settings: ServiceSettings,
                  **options: Any) -> uvicorn.Config:
    """uvicorn as every service is served (``options`` override). Its own proxy-header
    handling is off: by default it believes ``X-Forwarded-For`` from 127.0.0.1, so anyone on
    the machine could choose their client address and escape the rate limits; the app reads
    the header itself, from the configured proxies only (:func:`ankommen.shared.web.hardening.
    harden`). Given ``http_fd``, it serves on that inherited socket instead of binding.
    """
    config: dict[str, Any] = {
        "host": settings.http_host, "port": settings.resolved_http_port, "fd": settings.http_fd,
        "log_config": None, "access_log": False, "proxy_headers": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS, **options}
    return uvicorn.Config(app, **config)


def inherited_listener(settings: ServiceSettings) -> list[socket.socket] | None:
    """The inherited listening socket (``http_fd``) as what it is — TCP, not uvicorn's
    guess: ``uvicorn --fd`` wraps it as a Unix socket, so asyncio does not set TCP_NODELAY
    on its connections, and every response on a kept-alive connection waited for the
    client's delayed ACK (Nagle): 40 ms per request on Linux, in B8 nine tenths of a
    registration's latency."""
    return None if settings.http_fd is None else [socket.socket(fileno=settings.http_fd)]


def service_cli(name: str, settings_class: type[SettingsT], runtime_factory: str,
                app_factory: str, definition: ServiceDefinition[UnitT]) -> typer.Typer:
    """``runtime_factory`` is the import string of the service's composition root (settings →
    its runtime), ``app_factory`` that of a zero-argument function returning the app.

    Both are import strings so that the composition root — the web app, templates, PDF fonts,
    OR-Tools … — is imported only by the commands that build the whole service. ``relay``
    builds its runtime from ``definition`` alone: a relay process only reads the outbox and
    sends, and what the whole service imports would be most of its memory (issue 21, B6).
    """
    cli = typer.Typer(help=f"The ankommen {name} service.", no_args_is_help=True,
                      add_completion=False)

    def build_runtime(current: SettingsT) -> ServiceRuntime[SettingsT, UnitT]:
        factory = cast(Callable[[SettingsT], ServiceRuntime[SettingsT, UnitT]],
                       import_from_string(runtime_factory))
        return factory(current)

    def settings() -> SettingsT:
        try:
            return load_settings(settings_class)
        except SettingsError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from None

    @cli.command()
    def serve() -> None:
        """Serve the HTTP API and consume events (migrates first in the development profile)."""
        current = settings()
        configure_logging(name, current.log_level)
        server = uvicorn.Server(server_config(app_factory, current, factory=True))
        server.run(sockets=inherited_listener(current))
        if not server.started:  # as uvicorn.run: a failed start-up is a failed command
            raise typer.Exit(3)

    @cli.command()
    def relay() -> None:
        """Run only the outbox relay (with ANKOMMEN_<SERVICE>_OUTBOX_RELAY=separate, the web
        processes leave it to this one). Stops cleanly on SIGTERM or Ctrl-C (exit code 0);
        several may run on one database, one of them sends at a time."""
        current = settings()
        configure_logging(name, current.log_level)
        log = logging.getLogger(f"ankommen.{name}.relay")

        if not definition.publishes:
            log.info("this service publishes no events: nothing to relay")
            return

        async def run() -> None:
            runtime = ServiceRuntime(definition, current)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            await runtime.relay_alone(stop)
            log.info("outbox relay stopped")

        asyncio.run(run())

    @cli.command()
    def migrate() -> None:
        """Apply the database migrations of this service."""
        current = settings()
        configure_logging(name, current.log_level)

        async def run() -> None:
            runtime = build_runtime(current)
            try:
                await runtime.migrate()
            finally:
                await runtime.engine.dispose()

        asyncio.run(run())
        typer.echo(f"{name}: database migrated")

    @cli.command()
    def asyncapi(out: Annotated[Path | None, typer.Option(
            help="Write it to this file (else standard output).")] = None) -> None:
        """The AsyncAPI document of this service's topics, as ``GET /asyncapi.json`` serves it
        (``make schemas`` writes it to docs/asyncapi/)."""

        async def document(runtime: ServiceRuntime[SettingsT, UnitT]) -> str:
            return render(runtime.asyncapi())

        text = with_runtime(document)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")

    outbox = typer.Typer(help="The outbox: events waiting to be sent, and parked ones.",
                         no_args_is_help=True)
    cli.add_typer(outbox, name="outbox")

    def with_runtime(work: Callable[[ServiceRuntime[SettingsT, UnitT]], Awaitable[T]]) -> T:
        async def run() -> T:
            runtime = build_runtime(settings())
            try:
                return await work(runtime)
            finally:
                await runtime.engine.dispose()

        return asyncio.run(run())

    @outbox.command("parked")
    def outbox_parked() -> None:
        """List the parked rows: events that can never be sent as they are (too large for the
        broker …), with the reason. Later events of the same case went on without them."""
        rows = with_runtime(lambda runtime: parked_rows(runtime.sessions,
                                                        runtime.definition.tables.outbox))
        if not rows:
            typer.echo(f"{name}: no parked outbox rows")
            return
        typer.echo(f"{name}: {len(rows)} parked outbox row(s)")
        for row in rows:
            typer.echo(f"{row.id}\t{row.parked_at.isoformat()}\t{row.topic}\t{row.type}\t"
                       f"event {row.event_id}\t{row.attempts} attempt(s)\t{row.reason}")

    @outbox.command("release")
    def outbox_release(ids: Annotated[list[int], typer.Argument(
            help="Outbox ids, as listed by 'outbox parked'.")]) -> None:
        """Send parked rows again, once what refused them is fixed. They arrive after the later
        events of their case that went on without them."""
        released = with_runtime(lambda runtime: release_parked(
            runtime.sessions, runtime.definition.tables.outbox, ids))
        typer.echo(f"{name}: {released} of {len(ids)} row(s) released")
        if released < len(ids):
            raise typer.Exit(1)

    return cli


T = TypeVar("T")
