"""The command line every service offers (``ankommen-<service> serve|migrate``), built once.

The service hands in how to build its settings and its runtime; the commands are the same for
all four, so operators learn them once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import typer
import uvicorn

from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import ServiceSettings, SettingsError, load_settings
from ankommen.shared.telemetry import configure_logging


def service_cli(name: str, settings_class: type[ServiceSettings],
                build_runtime: Callable[[ServiceSettings], ServiceRuntime],
                app_factory: str) -> typer.Typer:
    """``app_factory`` is the import string of a zero-argument function returning the app."""
    cli = typer.Typer(help=f"The ankommen {name} service.", no_args_is_help=True,
                      add_completion=False)

    def settings() -> ServiceSettings:
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
        uvicorn.run(app_factory, factory=True, host=current.http_host,
                    port=current.resolved_http_port, log_config=None, access_log=False)

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

    return cli
