"""``ankommen-monitoring serve|migrate|rebuild``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator

import typer

from ankommen.monitoring.adapters.facts_topic import read_from_start
from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import RebuildResult, rebuild_aggregates
from ankommen.shared.cli.service import service_cli
from ankommen.shared.settings import SettingsError, load_settings
from ankommen.shared.telemetry import configure_logging
from ankommen.shared.topics import FACTS

app = service_cli("monitoring", MonitoringSettings, build_runtime,
                  "ankommen.monitoring.app:create_app")


@contextlib.contextmanager
def _older_objects_left_out_of_collections() -> Iterator[None]:
    """Replaying a topic makes many short-lived objects, and each full collection would scan
    every object loaded before (modules, schemas, mappers) again: a sixth of the rebuild's
    time. They outlive the rebuild anyway, so the collector leaves them out until it ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def rebuild(settings: MonitoringSettings) -> RebuildResult:
    """Recompute every aggregate from offset 0 of the facts topic (migrating first)."""
    runtime = build_runtime(settings)
    try:
        await runtime.migrate()
        with _older_objects_left_out_of_collections():
            return await rebuild_aggregates(
                runtime.uow, lambda: read_from_start(settings.kafka_bootstrap_servers, FACTS),
                runtime.group_id(PURPOSE), settings.closed_month_grace)
    finally:
        await runtime.engine.dispose()


@app.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the aggregates from offset 0 of the facts topic; prints their digest."""
    try:
        settings = load_settings(MonitoringSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure_logging("monitoring", settings.log_level)
    result = asyncio.run(rebuild(settings))
    typer.echo(f"monitoring: rebuilt from {result.facts} facts "
               f"({result.duplicates} duplicates, {result.refused} refused); "
               f"digest {result.digest}")
