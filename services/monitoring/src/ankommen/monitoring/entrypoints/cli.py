"""``ankommen-monitoring serve|migrate|rebuild|review``.

``rebuild`` exits 0 when it rebuilt, 2 for bad settings, and :data:`REFUSED` (3) when its
source no longer holds every fact the aggregates count — then nothing was changed, and the
message says what is missing and how to go on.

``review`` shows the facts held for review (counts by reason, the entries); ``review apply``
and ``review discard`` decide entries as the operator named by ``--by`` (recorded in the
correction log, like a decision over the API); they exit 4 when an entry is unknown or decided
already — then nothing was changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Generator
from typing import Annotated, TypeVar

import typer

from ankommen.monitoring.adapters.facts_topic import FactsTopic
from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.definition import DEFINITION
from ankommen.monitoring.domain.bounds import Reason
from ankommen.monitoring.domain.review import Decision
from ankommen.monitoring.entrypoints.consumers import PURPOSE
from ankommen.monitoring.service.rebuild import (
    RebuildResult,
    Source,
    SourceIncomplete,
    rebuild_aggregates,
)
from ankommen.monitoring.service.review import decide, review_list
from ankommen.shared.cli.service import service_cli
from ankommen.shared.errors import DomainError
from ankommen.shared.messaging.topics import FACTS
from ankommen.shared.settings import SettingsError, load_settings
from ankommen.shared.telemetry import configure_logging

app = service_cli("monitoring", MonitoringSettings, "ankommen.monitoring.app:build_runtime",
                  "ankommen.monitoring.app:create_app", DEFINITION)


@contextlib.contextmanager
def _older_objects_left_out_of_collections() -> Generator[None, None, None]:
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
                runtime.group_id(PURPOSE), settings.bounds(), source=source,
                accept_loss=accept_loss)
    finally:
        await runtime.engine.dispose()


def _settings() -> MonitoringSettings:
    """The settings from the environment, logging configured; exit status 2 if invalid."""
    try:
        settings = load_settings(MonitoringSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure_logging("monitoring", settings.log_level)
    return settings


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
    settings = _settings()
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


review_app = typer.Typer(help="The facts held for review instead of counted (unknown district, "
                              "dated in the future or too long ago, a closed month), and the "
                              "admins' decisions on them.", no_args_is_help=False,
                         invoke_without_command=True)
app.add_typer(review_app, name="review")
#: The exit status of a decision refused (an entry unknown or decided already).
DECISION_REFUSED = 4
T = TypeVar("T")


def _with_runtime(work: Callable[[MonitoringRuntime, MonitoringSettings], Awaitable[T]]) -> T:
    settings = _settings()

    async def run() -> T:
        runtime = build_runtime(settings)
        try:
            await runtime.migrate()
            return await work(runtime, settings)
        finally:
            await runtime.engine.dispose()

    return asyncio.run(run())


@review_app.callback()
def review_command(
        context: typer.Context,
        reason: Annotated[Reason | None, typer.Option(help="Only entries held for this reason.")
                          ] = None,
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="Entries shown at most.")
                         ] = 50) -> None:
    """Show the review list: pending entries by reason, then the entries (one per line)."""
    if context.invoked_subcommand is not None:
        return

    async def show(runtime: MonitoringRuntime, _: MonitoringSettings) -> None:
        async with runtime.uow() as unit:
            overview = await review_list(unit, reason, None, limit, decisions=0)
        typer.echo(f"monitoring: {sum(overview.pending.values())} facts held for review: "
                   + ", ".join(f"{name} {count}" for name, count in overview.pending.items()))
        for entry in overview.entries:
            typer.echo(f"{entry.event_id}  {entry.reason:<16} {entry.month or '-':<7} "
                       f"{entry.district or '-':<5}  {entry.fact_type}")

    _with_runtime(show)


def _decide(decision: Decision, by: str, event_ids: list[str], reason: Reason | None,
            month: str | None) -> None:
    if bool(event_ids) == (reason is not None):
        typer.echo("name the entries (EVENT_ID …) or select them with --reason, not both",
                   err=True)
        raise typer.Exit(2)

    async def run(runtime: MonitoringRuntime, settings: MonitoringSettings) -> None:
        decided = await decide(runtime.uow, settings.bounds(), decision, f"operator:{by}",
                               runtime.clock.now(), event_ids=event_ids, reason=reason,
                               month=month)
        typer.echo(f"monitoring: {len(decided.event_ids)} review entries {decision.value} "
                   f"by {by}")
        for correction in decided.corrections:
            typer.echo(f"  correction of {correction.month}: {correction.facts} facts")

    try:
        _with_runtime(run)
    except DomainError as error:
        typer.echo(f"monitoring: refused: {error.detail}", err=True)
        raise typer.Exit(DECISION_REFUSED) from None


By = Annotated[str, typer.Option("--by", help="Who decides (recorded in the correction log).")]
EventIds = Annotated[list[str] | None, typer.Argument(help="The entries' event ids.")]
ReasonOption = Annotated[Reason | None, typer.Option(
    help="Instead of event ids: every pending entry held for this reason.")]
MonthOption = Annotated[str | None, typer.Option(
    help="With --reason: only the entries of this month (YYYY-MM).")]


@review_app.command("apply")
def apply_command(by: By, event_ids: EventIds = None, reason: ReasonOption = None,
                  month: MonthOption = None) -> None:
    """Count held facts after all — a logged correction of their months."""
    _decide(Decision.APPLIED, by, event_ids or [], reason, month)


@review_app.command("discard")
def discard_command(by: By, event_ids: EventIds = None, reason: ReasonOption = None,
                    month: MonthOption = None) -> None:
    """Discard held facts: they never count (the decision is logged)."""
    _decide(Decision.DISCARDED, by, event_ids or [], reason, month)
