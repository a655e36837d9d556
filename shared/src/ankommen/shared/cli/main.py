"""``ankommen``: the whole system from one command line.

``ankommen run`` starts everything (broker, topics, four services), ``ankommen run intake``
one service; ``broker``, ``topics create`` and ``migrate`` are the pieces on their own;
``token`` issues API tokens; ``events schemas`` regenerates the event documentation. Which
broker the embedded stack runs — Apache Kafka, or Tansu where Java is missing — is decided in
:mod:`ankommen.shared.local_broker`.
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

from ankommen.shared.auth import Role, TokenIssuer
from ankommen.shared.dev_idp import PASSWORD as DEV_PASSWORD
from ankommen.shared.dev_idp import USERS as DEV_USERS
from ankommen.shared.dev_idp import DevIdentityProvider, unavailable_reason
from ankommen.shared.embedded import (
    PUBLISHING_SERVICES,
    SERVICES,
    relay_command,
    service_command,
    service_port,
    service_socket,
)
from ankommen.shared.kafka_access import KafkaAccess
from ankommen.shared.kafka_acls import ADMIN, acl_plan, apply, principals, read_credentials
from ankommen.shared.local_broker import BrokerUnavailable, LocalBroker, start_local_broker
from ankommen.shared.settings import (
    CommonSettings,
    IssuerSettings,
    Profile,
    ProfileSetting,
    SettingsError,
    load_settings,
)
from ankommen.shared.token_keys import UnusableKey, load_signing_key
from ankommen.shared.topics import (
    create_topics,
    differences_from_plan,
    min_insync_replicas,
    topic_configs,
)

app = typer.Typer(help="ankommen: language and education offers for newcomers.",
                  no_args_is_help=True, add_completion=False)
topics_cli = typer.Typer(help="Kafka topics.", no_args_is_help=True)
events_cli = typer.Typer(help="Event contracts.", no_args_is_help=True)
app.add_typer(topics_cli, name="topics")
app.add_typer(events_cli, name="events")

ServiceName = Annotated[str | None, typer.Argument(
    help=f"One of {', '.join(SERVICES)}; all when omitted.", show_default=False)]


def _common_settings() -> CommonSettings:
    try:
        return load_settings(CommonSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def _profile() -> Profile:
    """The profile alone (a bad value is reported with every other setting)."""
    try:
        return ProfileSetting().profile
    except ValidationError:
        return _common_settings().profile


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


def _check_service(name: str | None) -> list[str]:
    if name is None:
        return list(SERVICES)
    if name not in SERVICES:
        typer.echo(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}", err=True)
        raise typer.Exit(2)
    return [name]


ReplicationFactor = Annotated[int, typer.Option(
    min=1, envvar="ANKOMMEN_KAFKA_REPLICATION_FACTOR",
    help="Replicas of every partition: 3 on a production cluster of three brokers (with "
         "min.insync.replicas=2), 1 on a single node.")]


CredentialsDir = Annotated[Path | None, typer.Option(
    envvar="ANKOMMEN_KAFKA_CREDENTIALS_DIR", file_okay=False, exists=True,
    help="Folder of Kafka passwords, one file per user (intake, assignment, progress, "
         "monitoring, provider-<id> for each of ANKOMMEN_KAFKA_PROVIDERS): each gets its "
         "SCRAM credential.")]
Providers = Annotated[list[str] | None, typer.Option(
    "--provider", help="A provider system with a Kafka channel (each id of "
                       "ANKOMMEN_KAFKA_PROVIDERS); repeatable.")]


@topics_cli.command("create")
def topics_create(replication_factor: ReplicationFactor = 1,
                  credentials: CredentialsDir = None) -> None:
    """Create every topic and dead-letter topic that does not exist yet (idempotent), with
    its replication, min.insync.replicas and retention — each provider of
    ANKOMMEN_KAFKA_PROVIDERS its own reports and rejections topics; report existing topics
    that differ. On an authenticated broker (as ``admin``), also set the SCRAM credential of
    every user with a password in CREDENTIALS and create every ACL of the plan for the same
    providers (idempotent as well; docs/security.md)."""
    settings = _common_settings()
    access, providers = settings.kafka, settings.kafka_provider_ids
    bootstrap = access.bootstrap_servers
    created = asyncio.run(create_topics(access, replication_factor, providers))
    typer.echo(f"topics created on {bootstrap}: {', '.join(created) or 'none (all existed)'}")
    typer.echo(f"replication factor {replication_factor}, min.insync.replicas "
               f"{min_insync_replicas(replication_factor)}")
    typer.echo(f"providers with their own topics (ANKOMMEN_KAFKA_PROVIDERS): "
               f"{', '.join(providers) or 'none'}")
    if access.authenticated:
        _users_and_acls(access, read_credentials(credentials) if credentials else {},
                        providers)
    else:
        typer.echo("warning: no ANKOMMEN_KAFKA_USERNAME: an open broker, no users or ACLs "
                   "set up", err=True)
    for name, problems in asyncio.run(differences_from_plan(access, replication_factor,
                                                            providers)).items():
        typer.echo(f"warning: existing topic {name} differs from the plan: "
                   f"{'; '.join(problems)}", err=True)
        settings = ",".join(f"{key}={value}" for key, value in
                            topic_configs(name, replication_factor).items())
        typer.echo(f"  settings: kafka-configs.sh --bootstrap-server {bootstrap} --alter "
                   f"--entity-type topics --entity-name {name} --add-config {settings}", err=True)


def _users_and_acls(access: KafkaAccess, passwords: dict[str, str],
                    providers: tuple[str, ...]) -> None:
    """The SCRAM users and the ACL plan, for the providers that have their topics: one list,
    so that no provider has a principal without its channel or a channel it cannot use."""
    users = set(principals(providers))
    for user in sorted(set(passwords) - users):
        typer.echo(f"warning: a password for {user}, but no such principal (a provider not in "
                   "ANKOMMEN_KAFKA_PROVIDERS?): not set", err=True)
    for user in sorted(users - set(passwords) - {ADMIN}):
        typer.echo(f"warning: no password for {user} in ANKOMMEN_KAFKA_CREDENTIALS_DIR: it "
                   "cannot sign in (ankommen kafka-secrets adds it)", err=True)
    known = {user: password for user, password in passwords.items() if user in users}
    grants = acl_plan(providers)
    apply(access, known, grants)
    typer.echo(f"Kafka users set: {', '.join(sorted(set(known) - {ADMIN})) or 'none'}; "
               f"{len(grants)} ACLs in place (providers: {', '.join(providers) or 'none'})")


@app.command("kafka-secrets")
def kafka_secrets(
        folder: Annotated[Path, typer.Argument(help="Where to write users/ and tls/")],
        host: Annotated[list[str] | None, typer.Option(
            help="A host name of the broker (its certificate's names); repeatable")] = None,
        provider: Providers = None) -> None:
    """Generate what a production Kafka needs, once: a password per principal and a CA with
    the broker's certificate (existing files are kept; docs/security.md)."""
    from ankommen.shared.kafka_secrets import ensure_secrets

    users = ensure_secrets(folder, host or ["kafka"], provider or [])
    typer.echo(f"Kafka secrets in {folder}: users/ ({', '.join(users)}), tls/ca.pem, "
               "tls/broker.pem; move tls/ca-key.pem off this host")


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
    """Apache Kafka or Tansu (see :mod:`ankommen.shared.local_broker`), saying which."""
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


@app.command()
def broker() -> None:
    """Run the embedded stack's broker (Apache Kafka, or Tansu without Java) with the topics."""
    settings = _common_settings()
    local = _start_broker(settings)
    stop = _StopRequest()
    try:
        asyncio.run(create_topics(local.admin, providers=settings.kafka_provider_ids))
        typer.echo(f"{local.name} listening on {local.bootstrap_servers}; Ctrl-C stops it")
        while not stop.requested and local.running:
            time.sleep(0.2)
    finally:
        local.stop()


@app.command()
def migrate(service: ServiceName = None) -> None:
    """Apply database migrations of one service or of all."""
    for name in _check_service(service):
        subprocess.run([sys.executable, "-m", f"ankommen.{name}", "migrate"], check=True)


@app.command()
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


@events_cli.command("schemas")
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


@app.command()
def run(service: ServiceName = None) -> None:
    """Run one service, or — without a name — the whole embedded stack until Ctrl-C."""
    names = _check_service(service)
    if service is not None:
        os.execv(sys.executable, service_command(service))
    settings = _common_settings()
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
    """The development identity provider for the pages (:mod:`ankommen.shared.dev_idp`), unless
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


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
