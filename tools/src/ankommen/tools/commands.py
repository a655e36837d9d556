"""The development commands of ``ankommen``: ``run`` starts the whole system on one machine
(broker, topics, four services, the development identity provider), ``run intake`` one service;
``broker`` is the broker on its own; ``token`` issues API tokens; ``events schemas`` regenerates
the event documentation. Which broker the embedded stack runs — Apache Kafka, or Tansu where
Java is missing — is decided in :mod:`ankommen.tools.local_broker`.

The production ``ankommen`` command (:mod:`ankommen.shared.cli.main`) adds them through its entry
point group where this distribution is installed (tools/pyproject.toml): in the workspace, never
in a production image.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError

from ankommen.shared.cli.arguments import ServiceName, common_settings, services_named
from ankommen.shared.identity.auth import Role, TokenIssuer
from ankommen.shared.identity.token_keys import UnusableKey, load_signing_key
from ankommen.shared.messaging.topics import create_topics
from ankommen.shared.settings import (
    CommonSettings,
    IssuerSettings,
    Profile,
    ProfileSetting,
    SettingsError,
    load_settings,
)
from ankommen.shared.stack import PUBLISHING_SERVICES, service_port
from ankommen.tools.dev_idp import PASSWORD as DEV_PASSWORD
from ankommen.tools.dev_idp import USERS as DEV_USERS
from ankommen.tools.dev_idp import DevIdentityProvider, unavailable_reason
from ankommen.tools.embedded import relay_command, service_command, service_socket
from ankommen.tools.local_broker import BrokerUnavailable, LocalBroker, start_local_broker


def register(app: typer.Typer) -> None:
    """Add the development commands to the ``ankommen`` app (the entry point of
    ``ankommen.commands``)."""
    app.command()(run)
    app.command()(broker)
    app.command()(token)
    events_cli = typer.Typer(help="Event contracts.", no_args_is_help=True)
    events_cli.command("schemas")(events_schemas)
    app.add_typer(events_cli, name="events")


def _profile() -> Profile:
    """The profile alone (a bad value is reported with every other setting)."""
    try:
        return ProfileSetting().profile
    except ValidationError:
        return common_settings().profile


def _issuer() -> TokenIssuer:
    """The token issuer, with the private key only this command reads."""
    try:
        settings = load_settings(IssuerSettings)
        return TokenIssuer(load_signing_key(settings.resolved_token_signing_key))
    except SettingsError as error:
        typer.echo(str(error), err=True)
    except UnusableKey as error:
        typer.echo(f"{IssuerSettings.env_name('token_signing_key')}: {error}", err=True)
    raise typer.Exit(2)


class _StopRequest:
    """Ctrl-C and SIGTERM only ask the supervisor to stop, which then stops everything in
    order; a second Ctrl-C does not cut that short."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, *_: object) -> None:
        self.requested = True


def _start_broker(settings: CommonSettings) -> LocalBroker:
    """Apache Kafka or Tansu (see :mod:`ankommen.tools.local_broker`), saying which."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Until the broker runs, SIGTERM interrupts like Ctrl-C: a half-started broker is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        local = start_local_broker(settings.embedded_broker, settings.data_dir,
                                   settings.kafka_bootstrap_servers, typer.echo,
                                   settings.kafka_provider_ids)
    except (BrokerUnavailable, RuntimeError, TimeoutError) as error:
        typer.echo(f"cannot start the broker: {error}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("stopped before the broker was up")
        raise typer.Exit(130) from None
    typer.echo(local.notice)
    return local


def broker() -> None:
    """Run the embedded stack's broker (Apache Kafka, or Tansu without Java) with the topics."""
    settings = common_settings()
    local = _start_broker(settings)
    stop = _StopRequest()
    try:
        asyncio.run(create_topics(local.admin, providers=settings.kafka_provider_ids))
        typer.echo(f"{local.name} listening on {local.bootstrap_servers}; Ctrl-C stops it")
        while not stop.requested and local.running:
            time.sleep(0.2)
    finally:
        local.stop()


def token(role: Role, subject: Annotated[str, typer.Option(help="Who the token is for")] = "dev",
          provider_id: Annotated[str | None, typer.Option(help="For provider tokens")] = None,
          hours: Annotated[int, typer.Option(min=1, max=24 * 30)] = 12) -> None:
    """Issue an API token for ROLE, signed with the issuer's private key
    (ANKOMMEN_TOKEN_SIGNING_KEY; in development the data dir's key pair). Development and
    scripts only: refused in the production profile."""
    if _profile() is not Profile.DEVELOPMENT:
        typer.echo("ankommen token is for development and scripts only and refused in the "
                   "production profile: staff sign in through the county's identity provider, "
                   "provider systems obtain tokens there by client credentials "
                   "(docs/security.md)", err=True)
        raise typer.Exit(2)
    typer.echo(_issuer().issue(role, subject, provider_id=provider_id,
                               valid_for=timedelta(hours=hours)))


def events_schemas(out: Annotated[Path, typer.Option(help="Target folder")] = Path("docs/events")
                   ) -> None:
    """Write the JSON Schema of every event type into OUT."""
    from ankommen.shared.events import registry
    from ankommen.shared.events.schemas import write_schemas

    written = write_schemas(out, registry)
    typer.echo(f"{len(written)} event schemas written to {out}")


def _wait_ready(names: list[str], timeout: float) -> list[str]:
    """Poll each service's /readyz until each is ready and connected to the broker too (a
    service is ready without the broker, but the stack is not started until it is there);
    returns those that never were."""
    deadline = time.monotonic() + timeout
    waiting = list(names)
    while waiting and time.monotonic() < deadline:
        for name in list(waiting):
            try:
                response = httpx.get(f"http://127.0.0.1:{service_port(name)}/readyz", timeout=1)
                if response.status_code == 200 and response.json().get("connected"):
                    waiting.remove(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    return waiting


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def run(service: ServiceName = None) -> None:
    """Run one service, or — without a name — the whole embedded stack until Ctrl-C."""
    names = services_named(service)
    if service is not None:
        os.execv(sys.executable, service_command(service))
    settings = common_settings()
    local = _start_broker(settings)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stop = _StopRequest()
    try:
        asyncio.run(create_topics(local.admin, providers=settings.kafka_provider_ids))
        environment = {**os.environ, **local.service_environment()}
        if settings.is_development:
            # One clock file for the whole stack: `make demo` moves the county's time with it
            # (ankommen.shared.clock.FileClock); absent, the services run on the system clock.
            environment.setdefault("ANKOMMEN_CLOCK_FILE",
                                   str(settings.embedded_clock_file.resolve()))
        if "intake" in names:
            # Progress's provider pages ask intake for the names participants consented to
            # share.
            environment.setdefault("ANKOMMEN_PROGRESS_INTAKE_URL",
                                   f"http://127.0.0.1:{service_port('intake', environment)}")
        relayed = _separate_relays(names, environment)
        identity_provider = _start_identity_provider(names, settings, environment)
        if identity_provider is not None:
            assert identity_provider.process is not None
            processes["identity provider"] = identity_provider.process
            for name in names:
                environment.update(identity_provider.service_environment(name))
        for name in names:
            # Each service in its own process group: Ctrl-C reaches only this supervisor,
            # which then stops the services in order. Each with its own Kafka principal.
            # A socket our starter bound for the service (tests) goes on to it alone.
            inherited = service_socket(name, environment)
            processes[name] = subprocess.Popen(
                service_command(name), env={**environment, **local.service_environment(name)},
                start_new_session=True, pass_fds=inherited)
            for fd in inherited:
                os.close(fd)
            if name in relayed:
                processes[f"{name} relay"] = subprocess.Popen(
                    relay_command(name),
                    env={**environment, **local.service_environment(name)},
                    start_new_session=True)
        missing = _wait_ready(names, timeout=60)
        if missing:
            typer.echo(f"not ready after 60 s: {', '.join(missing)}", err=True)
        _print_welcome(names, local, settings, identity_provider)
        _supervise(processes, local, stop)
    finally:
        typer.echo("stopping ankommen …")
        _stop(processes)
        local.stop()
        typer.echo("stopped")


def _separate_relays(names: list[str], environment: dict[str, str]) -> list[str]:
    """The services whose outbox relay runs in a process of its own: every publishing one,
    unless its ``ANKOMMEN_<SERVICE>_OUTBOX_RELAY`` says ``inline`` (set here to ``separate``
    otherwise, so that its web process leaves the relay to that process)."""
    relayed: list[str] = []
    for name in names:
        variable = f"ANKOMMEN_{name.upper()}_OUTBOX_RELAY"
        if name in PUBLISHING_SERVICES and environment.setdefault(
                variable, "separate") == "separate":
            relayed.append(name)
    return relayed


def _start_identity_provider(names: list[str], settings: CommonSettings,
                             environment: dict[str, str]) -> DevIdentityProvider | None:
    """The development identity provider for the pages (:mod:`ankommen.tools.dev_idp`), unless
    switched off, in production, or where a service names a provider of its own."""
    if not settings.is_development or not settings.dev_idp:
        return None
    own = [name for name in names if environment.get(f"ANKOMMEN_{name.upper()}_OIDC_ISSUER")]
    if own:
        typer.echo(f"sign-in: {', '.join(own)} name an identity provider of their own; the "
                   "development identity provider is not started")
        return None
    reason = unavailable_reason()
    if reason is not None:
        typer.echo(f"sign-in: the development identity provider cannot run ({reason}); the "
                   "pages sign in by pasted token (ankommen token)", err=True)
        return None
    provider = DevIdentityProvider(
        settings.data_dir, settings.dev_idp_port,
        {name: service_port(name, environment) for name in names})
    try:
        return provider.start()
    except (RuntimeError, TimeoutError, OSError) as error:
        typer.echo(f"sign-in: the development identity provider did not start ({error}); "
                   "the pages sign in by pasted token (ankommen token)", err=True)
        return None


def _supervise(processes: dict[str, subprocess.Popen[bytes]], local: LocalBroker,
               stop: _StopRequest) -> None:
    """Until Ctrl-C, or until a service or the broker exits on its own."""
    while not stop.requested:
        for name, process in processes.items():
            if process.poll() is not None:
                typer.echo(f"{name} exited with code {process.returncode}; stopping", err=True)
                return
        if not local.running:
            typer.echo(f"the broker ({local.name}) exited; stopping", err=True)
            return
        time.sleep(0.2)


def _print_welcome(names: list[str], local: LocalBroker, settings: CommonSettings,
                   identity_provider: DevIdentityProvider | None = None) -> None:
    typer.echo("\nankommen is running (embedded profile):")
    typer.echo(f"  broker      {local.name} on {local.bootstrap_servers}")
    if identity_provider is not None:
        typer.echo(f"  sign-in     {identity_provider.issuer} (development identity provider)")
    for name in names:
        typer.echo(f"  {name:<11} http://127.0.0.1:{service_port(name)}/ "
                   f"(API: http://127.0.0.1:{service_port(name)}/docs)")
    if identity_provider is not None:
        typer.echo(f"\nSign in on a service's page with a development user: "
                   f"{', '.join(DEV_USERS)}; password {DEV_PASSWORD} (development only).")
    if settings.is_development:
        intake_token = _issuer().issue(Role.INTAKE_STAFF, "dev")
        typer.echo("\nRegister an arrival (development token for the intake_staff role):")
        typer.echo(f"  curl -X POST http://127.0.0.1:{service_port('intake')}/cases "
                   f"-H 'Authorization: Bearer {intake_token}' "
                   "-H 'Content-Type: application/json' "
                   "-d @docs/examples/registration.json")
        typer.echo(f"  curl http://127.0.0.1:{service_port('monitoring')}/statistics/arrivals")
        typer.echo("Other roles: ankommen token "
                   "coordinator|provider --provider-id P|monitoring_viewer|admin")
        typer.echo("\nLoad a populated county (Landkreis Heidekreis, synthetic) in another "
                   "terminal: make demo")
    typer.echo("\nCtrl-C stops everything.\n")
