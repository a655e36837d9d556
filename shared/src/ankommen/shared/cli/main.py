"""``ankommen``: the command line of operations, installed in every production image.

``topics create`` creates the topics (and, on an authenticated broker, the users and ACLs),
``kafka-secrets`` generates a production Kafka's passwords and certificates, ``migrate`` applies
the services' database migrations. The development commands — ``run`` (the whole system on one
machine), ``broker``, ``token``, ``events schemas`` — come from ``ankommen-tools``
(:mod:`ankommen.tools.commands`), which adds them through the entry point group
:data:`COMMANDS_GROUP` where it is installed: in the workspace, never in a production image.
The shared library does not import it (an import-linter contract says so).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from ankommen.shared.cli.arguments import ServiceName, common_settings, services_named
from ankommen.shared.messaging.kafka_access import KafkaAccess
from ankommen.shared.messaging.kafka_acls import (
    ADMIN,
    acl_plan,
    apply,
    principals,
    read_credentials,
)
from ankommen.shared.messaging.topics import (
    create_topics,
    differences_from_plan,
    min_insync_replicas,
    topic_configs,
)

#: The entry point group through which an installed distribution adds commands: each entry
#: point names a function that takes the ``ankommen`` app and registers its commands on it.
COMMANDS_GROUP = "ankommen.commands"

app = typer.Typer(help="ankommen: language and education offers for newcomers.",
                  no_args_is_help=True, add_completion=False)
topics_cli = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_cli, name="topics")


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
    settings = common_settings()
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
    from ankommen.shared.messaging.kafka_secrets import ensure_secrets

    users = ensure_secrets(folder, host or ["kafka"], provider or [])
    typer.echo(f"Kafka secrets in {folder}: users/ ({', '.join(users)}), tls/ca.pem, "
               "tls/broker.pem; move tls/ca-key.pem off this host")


@app.command()
def migrate(service: ServiceName = None) -> None:
    """Apply database migrations of one service or of all."""
    for name in services_named(service):
        subprocess.run([sys.executable, "-m", f"ankommen.{name}", "migrate"], check=True)


def _add_installed_commands() -> None:
    """The commands installed distributions add (:data:`COMMANDS_GROUP`): ``ankommen-tools``'s
    development commands in the workspace; none in a production image."""
    for entry_point in entry_points(group=COMMANDS_GROUP):
        register: Callable[[typer.Typer], None] = entry_point.load()
        register(app)


_add_installed_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
