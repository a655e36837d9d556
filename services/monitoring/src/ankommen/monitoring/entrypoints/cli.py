"""``ankommen-monitoring serve|migrate|rebuild``.

``rebuild`` exits 0 when it rebuilt, 2 for bad settings, and :data:`REFUSED` (3) when its
source no longer holds every fact the aggregates count — then nothing was changed, and the
message says what is missing and how to go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator
from typing import Annotated

import typer

from ankommen.monitoring.adapters.facts_topic import FactsTopic
from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import (
    RebuildResult,
    Source,
    SourceIncomplete,
    rebuild_aggregates,
)
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


async def rebuild(settings: MonitoringSettings, source: Source = Source.AUTO,
                  accept_loss: bool = False) -> RebuildResult:
    """Recompute every aggregate from the facts archive or from offset 0 of the facts topic
    (migrating first); raises :class:`SourceIncomplete` instead of losing facts, unless
    ``accept_loss``."""
    runtime = build_runtime(settings)
    try:
        await runtime.migrate()
        with _older_objects_left_out_of_collections():
            return await rebuild_aggregates(
                runtime.uow, FactsTopic(settings.kafka, FACTS),
                runtime.group_id(PURPOSE), settings.closed_month_grace, source=source,
                accept_loss=accept_loss)
    finally:
        await runtime.engine.dispose()


#: The exit status of a refused rebuild.
REFUSED = 3
SOURCES = {Source.ARCHIVE: "the facts archive", Source.TOPIC: f"the facts topic {FACTS.name}"}


def refusal(refused: SourceIncomplete) -> str:
    """What an operator reads when the rebuild refuses: what is missing, that nothing
    changed, and the ways on."""
    lines = [f"monitoring: rebuild refused: {SOURCES[refused.source]} no longer holds every "
             "fact the aggregates count:",
             *(f"  - {gap}" for gap in refused.gaps),
             "Nothing was changed: the aggregates, the dashboard and the reports are as before."]
    if refused.source is Source.TOPIC and refused.archive_complete:
        lines.append("The facts archive holds every fact the aggregates count: rebuild from "
                     "it with --from archive.")
    elif refused.source is Source.ARCHIVE:
        lines.append("--from topic rebuilds from the facts topic if it still holds them (it "
                     "is checked the same way).")
    lines.append("To rebuild from what is left anyway, dropping what is missing from every "
                 "figure, run again with --accept-loss.")
    return "\n".join(lines)


def loss_warning(result: RebuildResult) -> str:
    lines = [f"monitoring: WARNING: rebuilt from {SOURCES[result.source]} although it lacked "
             "facts (--accept-loss):", *(f"  - {gap}" for gap in result.accepted)]
    if result.fewer:
        lines.append(f"The aggregates now count {result.facts} facts, {result.fewer} fewer "
                     f"than the {result.before} they counted before: the dashboard and the "
                     "reports show less than before.")
    return "\n".join(lines)


@app.command("rebuild")
def rebuild_command(
        source: Annotated[Source, typer.Option(
            "--from", help="Where the facts come from: the facts archive in monitoring's "
                           "database, the facts topic from offset 0, or auto: the archive "
                           "when it holds every fact the aggregates count, else the topic.",
            case_sensitive=False)] = Source.AUTO,
        accept_loss: Annotated[bool, typer.Option(
            "--accept-loss", help="Rebuild even when the source no longer holds every fact "
                                  "the aggregates count; the missing facts drop out of every "
                                  "figure.")] = False) -> None:
    """Rebuild the aggregates from the facts archive or the facts topic; prints their digest.

    Refuses (exit status 3, nothing changed) a source that lost facts, unless --accept-loss."""
    try:
        settings = load_settings(MonitoringSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure_logging("monitoring", settings.log_level)
    try:
        result = asyncio.run(rebuild(settings, source, accept_loss))
    except SourceIncomplete as refused:
        typer.echo(refusal(refused), err=True)
        raise typer.Exit(REFUSED) from None
    if result.accepted:
        typer.echo(loss_warning(result), err=True)
    archived = f", {result.archived} newly archived" if result.archived else ""
    typer.echo(f"monitoring: rebuilt from {result.facts} facts "
               f"({result.duplicates} duplicates, {result.refused} refused) of "
               f"{SOURCES[result.source]}{archived}; digest {result.digest}")
