"""``ankommen-intake serve|migrate|rotate-master-key|reindex-identities``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import typer

from ankommen.intake.config import IntakeSettings
from ankommen.intake.definition import DEFINITION
from ankommen.shared.cli.service import service_cli
from ankommen.shared.settings import SettingsError, load_settings
from ankommen.shared.telemetry import configure_logging

if TYPE_CHECKING:
    from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
    from ankommen.intake.service.protection import IdentityProtection
    from ankommen.shared.db.unit_of_work import UnitOfWorkFactory


app = service_cli("intake", IntakeSettings, "ankommen.intake.app:build_runtime",
                  "ankommen.intake.app:create_app", DEFINITION)


def _settings() -> IntakeSettings:
    try:
        settings = load_settings(IntakeSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure_logging("intake", settings.log_level)
    return settings


def _run_with_protection(
        settings: IntakeSettings,
        task: Callable[[UnitOfWorkFactory[IntakeUnitOfWork], IdentityProtection],
                       Awaitable[int]]) -> int:
    """Run ``task(uow_factory, protection)`` against the configured database."""

    # The whole service only here: ``ankommen-intake relay`` imports this module too.
    from ankommen.intake.app import build_runtime
    from ankommen.intake.service.protection import IdentityProtection

    async def run() -> int:
        runtime = build_runtime(settings)
        try:
            return await task(runtime.uow, IdentityProtection.from_settings(settings))
        finally:
            await runtime.engine.dispose()

    return asyncio.run(run())


@app.command("rotate-master-key")
def rotate_master_key_command() -> None:
    """Re-wrap every person's data key under the current master key.

    Set the new key as ANKOMMEN_INTAKE_MASTER_KEY (or _MASTER_KEY_FILE) and the old one in
    ANKOMMEN_INTAKE_PREVIOUS_MASTER_KEYS; identities themselves are not re-encrypted.
    """
    from ankommen.intake.service.rotate_master_key import rotate_master_key

    count = _run_with_protection(_settings(), rotate_master_key)
    typer.echo(f"intake: {count} data keys re-wrapped under the current master key")


@app.command("reindex-identities")
def reindex_identities_command() -> None:
    """Compute every identity's blind indexes again (after the duplicate check's blocking
    keys changed: identities indexed before are otherwise not found)."""
    from ankommen.intake.service.reindex_identities import reindex_identities

    count = _run_with_protection(_settings(), reindex_identities)
    typer.echo(f"intake: {count} identities re-indexed")
