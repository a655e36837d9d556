"""What several ``ankommen`` commands take — a service name, the common settings — shared by the
production commands (:mod:`ankommen.shared.cli.main`) and the development ones
(:mod:`ankommen.tools.commands`), which must not import each other's module."""

from __future__ import annotations

from typing import Annotated

import typer

from ankommen.shared.settings import CommonSettings, SettingsError, load_settings
from ankommen.shared.stack import SERVICES

ServiceName = Annotated[str | None, typer.Argument(
    help=f"One of {', '.join(SERVICES)}; all when omitted.", show_default=False)]


def common_settings() -> CommonSettings:
    """The settings every command reads; a bad one ends the command with what is wrong."""
    try:
        return load_settings(CommonSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def services_named(name: str | None) -> list[str]:
    """The service ``name``, or all of them in start order when omitted."""
    if name is None:
        return list(SERVICES)
    if name not in SERVICES:
        typer.echo(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}", err=True)
        raise typer.Exit(2)
    return [name]
