"""The production compose file gives every container what its settings demand.

No Docker engine is needed: the compose file is read with PyYAML, its ``${VAR…}`` references
are resolved the way ``docker compose`` resolves them, and each service's own settings class
validates the resulting environment in the production profile.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ankommen.assignment.config import AssignmentSettings
from ankommen.intake.config import IntakeSettings
from ankommen.monitoring.config import MonitoringSettings
from ankommen.progress.config import ProgressSettings
from ankommen.shared.cli import main as cli
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import min_insync_replicas
from ankommen.shared.settings import (
    CommonSettings,
    Profile,
    ServiceSettings,
    SettingsError,
    load_settings,
)
from ankommen.tools.apache_kafka import pinned_version

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
POSTGRES_INIT = ROOT / "deploy" / "postgres" / "init.sql"
#: Where the postgres container finds init.sql (deploy/postgres/init.sh runs it from there).
INIT_SQL_TARGET = "/etc/ankommen/postgres-init.sql"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "intake": IntakeSettings,
    "assignment": AssignmentSettings,
    "progress": ProgressSettings,
    "monitoring": MonitoringSettings,
}
#: The services whose outbox relay runs in a container of its own (``<service>-relay``).
RELAYED = ("intake", "assignment", "progress")
#: Every container that runs service code with the service's settings: the service itself,
#: its migration job and its outbox relay, as (compose service, ankommen service).
SERVICE_CONTAINERS = [
    (container, name) for name in SETTINGS for container in (name, f"{name}-migrate")
] + [(f"{name}-relay", name) for name in RELAYED]

# $$ | ${NAME} | ${NAME:-default} | ${NAME-default} | ${NAME:?message} | ${NAME?message} | $NAME
_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@functools.cache
def _parsed() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    """The compose file (parsed once: the network checks ask for it hundreds of times), a
    copy that a test may change."""
    return copy.deepcopy(_parsed())


#: What an operator sets for required variables that are not secrets.
OPERATOR_CHOICES = {
    "ANKOMMEN_COUNTY_DISTRICTS": "03358",
    "ANKOMMEN_OIDC_ISSUER": "https://login.kreis.example/realms/ankommen",
    "ANKOMMEN_OIDC_ROLE_MAPPING": json.dumps({"ankommen-koordination": "coordinator",
                                              "ankommen-traeger": "provider"}),
}


def required_value(name: str) -> str:
    """The stand-in for a variable the operator must set: its example value, or (a secret)
    40 URL-safe characters."""
    return OPERATOR_CHOICES.get(name) or hashlib.sha256(name.encode()).hexdigest()[:40]


def interpolate(value: str) -> str:
    """Resolve compose variable references as if the operator had set only what is required."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["bare"]:
            return ""  # an unset variable becomes empty
        operator, argument = match["operator"], match["argument"]
        if operator in (":?", "?"):
            return required_value(match["name"])
        if operator in (":-", "-"):
            return argument
        return ""

    return _REFERENCE.sub(replace, value)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def resolved_environment(service: str) -> dict[str, str]:
    """The environment compose hands to ``service``, variables resolved."""
    environment = compose()["services"][service].get("environment") or {}
    if isinstance(environment, list):
        environment = dict(entry.partition("=")[::2] for entry in environment)
    return {name: interpolate(as_text(value)) for name, value in environment.items()}


def use_only(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    """Make ``environment`` the whole process environment, as in the container.

    Not only ANKOMMEN_* and OTEL_* variables are cleared: the settings also read un-prefixed
    alias names (PROFILE, TOKEN_SECRET, LOG_LEVEL, …), so nothing of the machine running the
    tests may leak in.
    """
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


def postgres_password() -> str:
    return resolved_environment("postgres")["POSTGRES_PASSWORD"]


def databases_created_by_init_script() -> dict[str, str]:
    """``{database: owner}`` as deploy/postgres/init.sql creates them."""
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    return {name.lower(): owner.lower() for name, owner in re.findall(
        r"CREATE\s+DATABASE\s+\"?(\w+)\"?\s+OWNER\s+\"?(\w+)\"?", sql, re.I)}


def published_container_ports(service: str) -> set[int]:
    ports = set()
    for entry in compose()["services"][service].get("ports", []):
        target = entry["target"] if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


def depends_on(service: str) -> dict[str, str]:
    """``{dependency: condition}``; the short list form means ``service_started``."""
    dependencies = compose()["services"][service].get("depends_on") or {}
    if isinstance(dependencies, list):
        return dict.fromkeys(dependencies, "service_started")
    return {name: (spec or {}).get("condition", "service_started")
            for name, spec in dependencies.items()}


#: Settings a container gets that are optional by design: without intake's URL progress's
#: provider pages still work and say that names are unavailable; without trusted proxies the
#: connection's peer is the client (safe: no forwarding header is believed).
OPTIONAL = {"ANKOMMEN_PROGRESS_INTAKE_URL", "ANKOMMEN_TRUSTED_PROXIES",
            # which claims carry the groups and a provider's id: the usual names by default
            *(f"ANKOMMEN_{name.upper()}_OIDC_{claim}" for name in SETTINGS
              for claim in ("ROLE_CLAIM", "PROVIDER_ID_CLAIM")),
            # where the outbox relay runs: inline (in the web process) when unset
            *(f"ANKOMMEN_{name.upper()}_OUTBOX_RELAY" for name in SETTINGS)}


def removable_variables() -> list[tuple[str, str, str]]:
    """Each ANKOMMEN_* variable a service container gets, but for two that have safe defaults:
    the listen address (only reachability depends on it) and the profile (development when
    missing; the image sets production, see the Dockerfile test) — and the optional ones."""
    cases = []
    for container, name in SERVICE_CONTAINERS:
        for variable in resolved_environment(container):
            if (variable.startswith("ANKOMMEN_") and not variable.endswith("_HTTP_HOST")
                    and variable != "ANKOMMEN_PROFILE" and variable not in OPTIONAL):
                cases.append((container, name, variable))
    return cases


REMOVABLE = removable_variables()


@pytest.mark.parametrize(("container", "service"), SERVICE_CONTAINERS)
def test_compose_provides_every_setting_each_service_requires(
        monkeypatch: pytest.MonkeyPatch, container: str, service: str) -> None:
    use_only(monkeypatch, resolved_environment(container))

    settings = load_settings(SETTINGS[service], _env_file=None)

    assert settings.profile is Profile.PRODUCTION
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.http_host == "0.0.0.0"
    assert not settings.otlp_endpoint, "an unset OTLP endpoint must mean: no exporter"
    url = make_url(settings.database_url)
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port, url.database) == ("postgres", 5432, service)
    # Its own role, which init.sql creates with the password postgres is given for it.
    assert url.username == service
    assert url.password == resolved_environment("postgres")[
        f"ANKOMMEN_{service.upper()}_DB_PASSWORD"]
    assert databases_created_by_init_script()[service] == service
    if container == service:
        assert published_container_ports(service) == {settings.resolved_http_port}


@pytest.mark.parametrize(("container", "service", "variable"), REMOVABLE,
                         ids=[f"{container}-{variable}" for container, _, variable in REMOVABLE])
def test_service_refuses_to_start_without_any_required_variable(
        monkeypatch: pytest.MonkeyPatch, container: str, service: str, variable: str) -> None:
    environment = resolved_environment(container)
    del environment[variable]
    use_only(monkeypatch, environment)

    with pytest.raises(SettingsError) as error:
        load_settings(SETTINGS[service], _env_file=None)

    # A secret read from a file (``…_FILE``) is reported under the secret's own name.
    assert variable in str(error.value) or variable.removesuffix("_FILE") in str(error.value)


def test_removal_cases_cover_every_production_requirement() -> None:
    """The test above is not vacuous: it removes each variable the production rules name."""
    covered = {(container, variable) for container, _, variable in REMOVABLE}
    for container, service in SERVICE_CONTAINERS:
        cls = SETTINGS[service]
        probe = cls.model_construct()
        required = {cls.env_name(field) for field in probe.required_in_production()}
        required |= {cls.env_name(field) for field in probe.development_secrets()}
        for name in required:
            assert {(container, name), (container, f"{name}_FILE")} & covered, name


def test_progress_asks_intake_at_its_compose_address(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only(monkeypatch, resolved_environment("progress"))

    settings = load_settings(ProgressSettings, _env_file=None)
    intake_port = load_intake_port(monkeypatch)

    assert settings.intake_url is not None
    assert (settings.intake_url.host, settings.intake_url.port) == ("intake", intake_port)


def load_intake_port(monkeypatch: pytest.MonkeyPatch) -> int:
    use_only(monkeypatch, resolved_environment("intake"))
    return load_settings(IntakeSettings, _env_file=None).resolved_http_port


def test_topics_job_reaches_the_broker_with_valid_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # `ankommen topics create` validates the common, un-prefixed settings, in production too.
    use_only(monkeypatch, resolved_environment("topics"))

    settings = load_settings(CommonSettings, _env_file=None)

    assert settings.profile is Profile.PRODUCTION
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert compose()["services"]["topics"]["command"] == ["ankommen", "topics", "create"]


def has_healthcheck(definition: dict[str, Any]) -> bool:
    """A health check of its own in compose, or the image's (not disabled in compose)."""
    healthcheck = definition.get("healthcheck")
    if healthcheck is not None:
        return not healthcheck.get("disable", False) and bool(healthcheck.get("test"))
    build = definition.get("build")
    if isinstance(build, dict) and build.get("dockerfile") == "deploy/Dockerfile":
        return "HEALTHCHECK" in DOCKERFILE.read_text(encoding="utf-8")
    return False


def test_every_container_is_health_checked_or_waits_for_a_healthy_dependency() -> None:
    services = compose()["services"]
    healthy = {name for name, definition in services.items()
               if has_healthcheck(definition)}
    jobs = {name for name, definition in services.items()
            if str(definition.get("restart", "no")) == "no"}

    for name in services:
        conditions = depends_on(name)
        for dependency, condition in conditions.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert dependency in healthy, f"{name} waits for {dependency}, never healthy"
            elif condition == "service_completed_successfully":
                assert dependency in jobs, f"{name} waits for {dependency} to exit"
        assert name in healthy or "service_healthy" in conditions.values(), name

    for service in SETTINGS:
        assert service in healthy and service not in jobs
        assert {f"{service}-migrate", "topics"} <= jobs
        assert depends_on(service).items() >= {
            "kafka": "service_healthy",
            "postgres": "service_healthy",
            "topics": "service_completed_successfully",
            f"{service}-migrate": "service_completed_successfully",
        }.items()
        assert depends_on(f"{service}-migrate").get("postgres") == "service_healthy"
    assert depends_on("topics").get("kafka") == "service_healthy"


def kafka_brokers() -> list[str]:
    """The compose services that run Apache Kafka."""
    return [name for name, definition in compose()["services"].items()
            if str(definition.get("image", "")).startswith("apache/kafka:")]


def test_kafka_is_the_version_the_tests_run_against() -> None:
    assert kafka_brokers()
    for name in kafka_brokers():
        assert compose()["services"][name]["image"] == f"apache/kafka:{pinned_version()}"


def test_topics_are_replicated_as_far_as_the_brokers_allow(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The topics job asks for as many replicas as there are brokers (three at most), and
    the brokers agree: their defaults, internal topics and min.insync.replicas match it, and
    no replica that missed messages may become leader."""
    requested: list[int] = []

    async def create_topics(bootstrap: str, replication_factor: int,
                            providers: tuple[str, ...]) -> list[str]:
        requested.append(replication_factor)
        return []

    async def differences_from_plan(bootstrap: str, replication_factor: int,
                                    providers: tuple[str, ...]) -> dict:
        return {}

    monkeypatch.setattr(cli, "create_topics", create_topics)
    monkeypatch.setattr(cli, "differences_from_plan", differences_from_plan)
    monkeypatch.setattr(cli, "apply", lambda *_: None)  # users and ACLs: test_compose_kafka.py
    environment = resolved_environment("topics")
    (tmp_path / "users").mkdir()
    (tmp_path / "admin").write_text("the-admin-password")
    environment.update(ANKOMMEN_KAFKA_PASSWORD_FILE=str(tmp_path / "admin"),
                       ANKOMMEN_KAFKA_CREDENTIALS_DIR=str(tmp_path / "users"))
    use_only(monkeypatch, environment)

    result = CliRunner().invoke(cli.app, compose()["services"]["topics"]["command"][1:])

    assert result.exit_code == 0, result.output
    brokers = kafka_brokers()
    [replication_factor] = requested
    assert replication_factor == min(len(brokers), 3)
    bootstrap = resolved_environment("topics")["ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS"]
    assert len(bootstrap.split(",")) == len(brokers)
    for name in brokers:
        kafka = resolved_environment(name)
        assert kafka["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"
        assert int(kafka["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == replication_factor
        assert int(kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == replication_factor
        assert int(kafka["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]) == replication_factor
        assert int(kafka["KAFKA_MIN_INSYNC_REPLICAS"]) == min_insync_replicas(replication_factor)


def test_kafka_creates_no_topic_implicitly() -> None:
    kafka = resolved_environment("kafka")

    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].lower() == "false"
    assert "broker" in kafka["KAFKA_PROCESS_ROLES"] and "controller" in kafka["KAFKA_PROCESS_ROLES"]
    assert "CLIENTS://kafka:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"].split(",")


def test_kafka_authenticates_every_client_over_tls_and_authorises_by_acls() -> None:
    """The broker's side of docs/security.md; tests/deploy/test_compose_kafka.py starts it."""
    kafka = resolved_environment("kafka")
    protocols = dict(entry.split(":") for entry in
                     kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert protocols["CLIENTS"] == "SASL_SSL"
    # The controller listener is not on the network at all.
    assert "CONTROLLER://localhost:9093" in kafka["KAFKA_LISTENERS"].split(",")
    assert "PLAINTEXT" not in protocols.values()
    assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert kafka["KAFKA_SUPER_USERS"] == "User:admin"


@pytest.mark.parametrize(("container", "service"), SERVICE_CONTAINERS)
def test_each_container_signs_in_to_kafka_as_its_own_principal_and_no_other(
        container: str, service: str) -> None:
    environment = resolved_environment(container)
    assert environment["ANKOMMEN_KAFKA_USERNAME"] == service
    assert environment["ANKOMMEN_KAFKA_PASSWORD_FILE"] == f"/run/secrets/kafka_{service}"
    assert "ANKOMMEN_KAFKA_PASSWORD" not in environment  # a secret file, not the environment
    granted = {name for name in compose()["services"][container].get("secrets", [])
               if name.startswith("kafka_")}
    assert granted == {f"kafka_{service}", "kafka_ca"}
    assert compose()["secrets"][f"kafka_{service}"]["file"].endswith(f"/users/{service}")


def test_only_the_topics_job_and_the_broker_hold_the_admin_password() -> None:
    holders = {name for name, definition in compose()["services"].items()
               if "kafka_admin" in (definition.get("secrets") or [])}
    assert holders == {"kafka", "topics"}
    assert resolved_environment("topics")["ANKOMMEN_KAFKA_USERNAME"] == "admin"


def test_each_container_is_built_from_the_shared_dockerfile_for_its_own_service() -> None:
    services = compose()["services"]
    expected = {"topics": ("intake", ["ankommen", "topics", "create"])}
    for service in SETTINGS:
        expected[service] = (service, None)  # the image's CMD serves
        expected[f"{service}-migrate"] = (service, ["python", "-m", f"ankommen.{service}",
                                                    "migrate"])
    for service in RELAYED:
        expected[f"{service}-relay"] = (service, ["python", "-m", f"ankommen.{service}",
                                                  "relay"])

    built = {name for name, definition in services.items() if "build" in definition}
    assert built == set(expected)
    for name, (service, command) in expected.items():
        build = services[name]["build"]
        assert (ROOT / build["context"]).resolve() == ROOT
        assert build["dockerfile"] == "deploy/Dockerfile"
        assert build["args"]["SERVICE"] == service
        assert services[name].get("command") == command

    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "ANKOMMEN_PROFILE=production" in dockerfile
    assert 'python -m \\"ankommen.${ANKOMMEN_SERVICE}\\" serve' in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M), "the service must not run as root"


# --- secrets and network boundaries (docs/security.md) -------------------------------------


def test_no_service_connects_to_postgresql_as_the_superuser() -> None:
    superuser = resolved_environment("postgres")["POSTGRES_USER"]
    passwords = {service: resolved_environment("postgres")[
        f"ANKOMMEN_{service.upper()}_DB_PASSWORD"] for service in SETTINGS}

    for container, service in SERVICE_CONTAINERS:
        environment = resolved_environment(container)
        url = make_url(environment[f"ANKOMMEN_{service.upper()}_DATABASE_URL"])
        assert url.username != superuser, container
        assert postgres_password() not in environment.values(), container
        assert {password for other, password in passwords.items() if other != service} \
            .isdisjoint(environment.values()), f"{container} holds another service's password"
    assert len(set(passwords.values())) == len(passwords), "one password per role"


def test_the_init_script_gives_each_role_its_own_database_and_no_more() -> None:
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    statements = [" ".join(statement.split()) for statement in
                  re.sub(r"--[^\n]*", "", sql).split(";") if statement.strip()]

    assert databases_created_by_init_script() == {service: service for service in SETTINGS}
    for service in SETTINGS:
        [role] = [statement for statement in statements
                  if statement.startswith(f"CREATE ROLE {service} ")]
        for attribute in ("NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOBYPASSRLS"):
            assert attribute in role.split(), f"{service}: {role}"
        assert f"REVOKE CONNECT, TEMPORARY ON DATABASE {service} FROM PUBLIC" in statements
    assert not [statement for statement in statements if statement.startswith("GRANT")]
    volumes = compose()["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/10-ankommen-databases.sh:ro" \
        in volumes
    assert f"./deploy/postgres/init.sql:{INIT_SQL_TARGET}:ro" in volumes
    assert INIT_SQL_TARGET in (ROOT / "deploy" / "postgres" / "init.sh").read_text()


def test_services_hold_the_token_public_key_and_no_container_a_token_secret() -> None:
    services = compose()["services"]
    config = compose()["configs"]["token_public_key"]

    assert config["file"].startswith("${ANKOMMEN_TOKEN_PUBLIC_KEY_FILE:?")
    for name in services:
        environment = resolved_environment(name)
        assert not [variable for variable in environment
                    if "TOKEN_SECRET" in variable or "SIGNING_KEY" in variable], name
    for container, _ in SERVICE_CONTAINERS:
        mounted = {entry["target"] for entry in services[container]["configs"]
                   if entry["source"] == "token_public_key"}
        assert resolved_environment(container)["ANKOMMEN_TOKEN_PUBLIC_KEY"] in mounted
    assert "TOKEN_SECRET" not in COMPOSE_FILE.read_text(encoding="utf-8")


def test_every_service_signs_staff_in_at_the_countys_identity_provider(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One issuer and one mapping of the county's groups for all; each service's pages their
    own client with their own secret."""
    clients = {}
    for container, service in SERVICE_CONTAINERS:
        use_only(monkeypatch, resolved_environment(container))
        settings = load_settings(SETTINGS[service], _env_file=None)
        assert settings.oidc_issuer == OPERATOR_CHOICES["ANKOMMEN_OIDC_ISSUER"]
        assert settings.oidc_role_mapping == {
            group: Role(role) for group, role in
            json.loads(OPERATOR_CHOICES["ANKOMMEN_OIDC_ROLE_MAPPING"]).items()}
        assert (settings.oidc_role_claim, settings.oidc_provider_id_claim) == (
            "groups", "provider_id")
        assert settings.oidc_client_secret is not None
        clients.setdefault(service, set()).add(
            (settings.oidc_client_id, settings.oidc_client_secret.get_secret_value()))
    assert {service: {client_id for client_id, _ in found}
            for service, found in clients.items()} == {
        service: {f"ankommen-{service}"} for service in SETTINGS}
    secrets = {secret for found in clients.values() for _, secret in found}
    assert len(secrets) == len(SETTINGS), "each client its own secret"
    # The development identity provider is never part of it.
    assert "dev-idp" not in COMPOSE_FILE.read_text(encoding="utf-8").split("\nname:")[1]


def networks_of(service: str) -> set[str]:
    networks = compose()["services"][service].get("networks")
    assert networks, f"{service} declares no network: it would join the shared default one"
    return set(networks)


def reachable_from(service: str) -> set[str]:
    """The other containers ``service`` shares a network with."""
    mine = networks_of(service)
    return {other for other in compose()["services"]
            if other != service and networks_of(other) & mine}


def test_kafka_and_postgresql_are_on_internal_networks_only() -> None:
    networks = compose()["networks"]

    for backend in ("kafka", "postgres"):
        assert not compose()["services"][backend].get("ports"), f"{backend} publishes a port"
        for network in networks_of(backend):
            assert (networks[network] or {}).get("internal") is True, (backend, network)
    for name in compose()["services"]:
        for network in networks_of(name):
            assert network in networks, f"{name}: undeclared network {network}"


def test_the_public_monitoring_container_reaches_only_the_broker_and_the_database() -> None:
    """Its dashboard is public: broken into, it must not be a way to the staff services (or
    around the network rules that guard their ports) — only to what it needs to work."""
    assert reachable_from("monitoring") == {"kafka", "postgres", "monitoring-migrate"}
    assert reachable_from("monitoring-migrate") <= {"kafka", "postgres", "monitoring"}


def test_only_published_ports_face_outwards() -> None:
    """A container on a non-internal network is one with a port to publish; no job is, and
    each network that faces outwards holds either the staff services or monitoring."""
    networks = compose()["networks"]
    outward = {name for name, spec in networks.items() if not (spec or {}).get("internal")}
    for name, definition in compose()["services"].items():
        facing = networks_of(name) & outward
        assert bool(facing) == bool(definition.get("ports")), name
    members = {network: {name for name in compose()["services"] if network in networks_of(name)}
               for network in outward}
    assert sorted(members.values(), key=sorted) == [
        {"assignment", "intake", "progress"}, {"monitoring"}]


def test_every_service_reaches_what_it_needs() -> None:
    for container, _ in SERVICE_CONTAINERS:
        assert "postgres" in reachable_from(container), container
    for service in SETTINGS:
        assert "kafka" in reachable_from(service), service
    assert "kafka" in reachable_from("topics")
    assert "intake" in reachable_from("progress")  # ANKOMMEN_PROGRESS_INTAKE_URL


def test_each_publishing_service_relays_its_outbox_in_a_container_of_its_own() -> None:
    """The web containers leave the relay to ``<service>-relay`` (issue 21): same image and
    settings, restarted when it fails, started once the migration has run."""
    from ankommen.shared.stack import PUBLISHING_SERVICES

    assert set(RELAYED) == set(PUBLISHING_SERVICES)
    services = compose()["services"]
    for service in RELAYED:
        relay = services[f"{service}-relay"]
        # The web container's settings (progress's adds intake's address for its pages).
        assert resolved_environment(f"{service}-relay").items() <= (
            resolved_environment(service).items())
        assert resolved_environment(service)[f"ANKOMMEN_{service.upper()}_OUTBOX_RELAY"] == (
            "separate")
        assert relay["restart"] == "unless-stopped"
        assert not relay.get("ports")
        assert depends_on(f"{service}-relay")[f"{service}-migrate"] == (
            "service_completed_successfully")
