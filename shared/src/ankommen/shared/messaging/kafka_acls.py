"""Kafka principals and their ACLs, derived from the topic plan — and applied to a broker.

Anyone who reaches an open broker can write any topic, and a forged event is believed by
whoever consumes it (issue 14). With the authoriser on (``allow.everyone.if.no.acl.found=
false``), the broker refuses every request that no ACL allows; this module says which ACLs
exist, as data (:func:`acl_plan`, a pure function of the topic plan and the wiring below), so
that least privilege is unit-tested rather than hoped for:

- each service (``User:intake`` …) WRITEs only the topics it publishes (those it owns, plus
  the facts topic, whose contract monitoring owns but which the three case services feed) and
  the dead-letter topics of the topics it consumes; it READs only the topics it consumes and
  its own consumer groups (``ankommen.<service>.`` …); IDEMPOTENT_WRITE on the cluster for the
  idempotent producer;
- each provider system (``User:provider-<id>``) WRITEs only its own reports topic and READs
  only its own rejections topic and its own groups (``provider-<id>`` …);
- ``User:admin`` is a super user (broker setting ``super.users``): the topics job and the
  brokers among themselves. It needs no ACL.

:func:`apply` creates the SCRAM credentials and the ACLs through the admin API
(confluent-kafka's AdminClient: aiokafka's has no ACL or SCRAM calls); both are idempotent,
so ``ankommen topics create`` can run on every deployment.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from ankommen.shared.messaging.kafka_access import KafkaAccess

if TYPE_CHECKING:
    from confluent_kafka.admin._acl import AclBinding, AclBindingFilter
    from confluent_kafka.admin._scram import UserScramCredentialAlteration
from ankommen.shared.messaging.topics import (
    CASES,
    COURSES,
    FACTS,
    PARTICIPATION,
    PLACEMENTS,
    PROVIDER_ID_PLACEHOLDER,
    PROVIDER_REJECTIONS,
    PROVIDER_REPORTS,
    ProviderTopic,
    Topic,
    provider_rejections_topic,
    provider_reports_topic,
)

#: The super user: the topics job, the tests' set-up and the brokers among themselves.
ADMIN = "admin"
SERVICES = ("intake", "assignment", "progress", "monitoring")
#: What every provider's topics begin with (``ankommen.provider.``): progress reads them all,
#: so that a provider added later is read without new ACLs for progress.
PROVIDER_TOPIC_PREFIX = PROVIDER_REPORTS.name.partition(PROVIDER_ID_PLACEHOLDER)[0]
#: SCRAM iterations of every credential (Kafka's minimum is 4096).
SCRAM_ITERATIONS = 8192


@dataclass(frozen=True)
class Wiring:
    """What one service publishes and consumes: the input of its ACLs.

    The services declare the same in their ``ServiceDefinition.publishes`` and their
    consumers; tests/shared/unit/test_kafka_acls.py fails when the two drift apart."""

    publishes: tuple[Topic, ...]
    consumes: tuple[Topic, ...]


WIRING: Mapping[str, Wiring] = {
    # Intake reads the catalogue too: it discloses only for an approved course in the county.
    "intake": Wiring(publishes=(CASES, FACTS),
                     consumes=(COURSES, PLACEMENTS, PARTICIPATION)),
    "assignment": Wiring(publishes=(COURSES, PLACEMENTS, FACTS),
                         consumes=(CASES, PARTICIPATION)),
    "progress": Wiring(publishes=(PARTICIPATION, PROVIDER_REJECTIONS, FACTS),
                       consumes=(CASES, COURSES, PLACEMENTS, PROVIDER_REPORTS)),
    # Monitoring only reads facts: it publishes nothing (a dead letter is not a publication).
    "monitoring": Wiring(publishes=(), consumes=(FACTS,)),
}


def provider_principal(provider_id: str) -> str:
    return f"provider-{provider_id}"


class Resource(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"


class Pattern(StrEnum):
    LITERAL = "literal"
    PREFIXED = "prefixed"


class Operation(StrEnum):
    READ = "read"
    WRITE = "write"
    DESCRIBE = "describe"
    IDEMPOTENT_WRITE = "idempotent_write"


#: Kafka's name of the cluster resource.
CLUSTER_NAME = "kafka-cluster"


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL: ``principal`` may do ``operation`` on a resource (from any host)."""

    user: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation

    @property
    def principal(self) -> str:
        return f"User:{self.user}"

    def __str__(self) -> str:
        wildcard = "*" if self.pattern is Pattern.PREFIXED else ""
        return f"{self.principal} {self.operation} {self.resource} {self.name}{wildcard}"


def _topic(user: str, name: str, *operations: Operation,
           pattern: Pattern = Pattern.LITERAL) -> list[Grant]:
    return [Grant(user, Resource.TOPIC, name, pattern, operation) for operation in operations]


def _groups(user: str, prefix: str) -> Grant:
    return Grant(user, Resource.GROUP, prefix, Pattern.PREFIXED, Operation.READ)


def _idempotent(user: str) -> Grant:
    return Grant(user, Resource.CLUSTER, CLUSTER_NAME, Pattern.LITERAL,
                 Operation.IDEMPOTENT_WRITE)


def _named(topics: Iterable[Topic]) -> list[Topic]:
    return [topic for topic in topics if not isinstance(topic, ProviderTopic)]


def service_grants(service: str, wiring: Wiring) -> list[Grant]:
    """What ``service`` may do: write what it publishes and its dead letters, read what it
    consumes and its own groups."""
    grants = [_idempotent(service), _groups(service, f"ankommen.{service}.")]
    # A provider topic's name is a template: each provider's own are granted by
    # :func:`provider_grants`, for the providers that exist.
    for topic in _named(wiring.publishes):
        grants += _topic(service, topic.name, Operation.WRITE, Operation.DESCRIBE)
    for topic in _named(wiring.consumes):
        grants += _topic(service, topic.name, Operation.READ, Operation.DESCRIBE)
        grants += _topic(service, topic.dead_letter, Operation.WRITE, Operation.DESCRIBE)
    return grants


def provider_grants(provider_id: str) -> list[Grant]:
    """A provider system's own channel: its reports (write), its rejections (read), and
    the grants progress needs on that channel (write rejections and report dead letters)."""
    user = provider_principal(provider_id)
    reports, rejections = provider_reports_topic(provider_id), provider_rejections_topic(
        provider_id)
    return [
        _idempotent(user), _groups(user, user),
        *_topic(user, reports.name, Operation.WRITE, Operation.DESCRIBE),
        *_topic(user, rejections.name, Operation.READ, Operation.DESCRIBE),
        *_topic("progress", rejections.name, Operation.WRITE, Operation.DESCRIBE),
        *_topic("progress", reports.dead_letter, Operation.WRITE, Operation.DESCRIBE),
    ]


def acl_plan(providers: Iterable[str] = (),
             wiring: Mapping[str, Wiring] = WIRING) -> frozenset[Grant]:
    """Every ACL of the deployment: the services' and each provider system's."""
    grants: list[Grant] = []
    for service, wired in wiring.items():
        grants += service_grants(service, wired)
    # Progress reads every provider's reports (and rejections, which it writes itself).
    grants += _topic("progress", PROVIDER_TOPIC_PREFIX, Operation.READ, Operation.DESCRIBE,
                     pattern=Pattern.PREFIXED)
    for provider_id in providers:
        grants += provider_grants(provider_id)
    return frozenset(grants)


def may(grants: Iterable[Grant], user: str, operation: Operation, topic: str) -> bool:
    """Whether ``grants`` let ``user`` do ``operation`` on ``topic`` (Kafka's matching:
    a literal name, or a prefix; no deny ACLs exist in the plan)."""
    return any(grant.user == user and grant.resource is Resource.TOPIC
               and grant.operation is operation
               and (topic == grant.name if grant.pattern is Pattern.LITERAL
                    else topic.startswith(grant.name))
               for grant in grants)


# --- credentials -------------------------------------------------------------------------


def principals(providers: Iterable[str] = ()) -> list[str]:
    """Every SCRAM user of a deployment: the admin, the services and the provider systems."""
    return [ADMIN, *SERVICES, *(provider_principal(provider) for provider in providers)]


def ensure_credentials(folder: Path, users: Iterable[str]) -> dict[str, str]:
    """One password file per user in ``folder`` (mode 0600), generated where missing; returns
    every user's password. ``make run`` keeps them under ``var/``; compose mounts them."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    passwords: dict[str, str] = {}
    for user in users:
        file = folder / user
        if not file.exists():
            file.touch(mode=0o600)
            file.write_text(secrets.token_urlsafe(32) + "\n")
        passwords[user] = file.read_text().strip()
    return passwords


def read_credentials(folder: Path) -> dict[str, str]:
    """The passwords in ``folder``: file name = user name (hidden files are skipped)."""
    return {file.name: file.read_text().strip() for file in sorted(folder.iterdir())
            if file.is_file() and not file.name.startswith(".") and file.read_text().strip()}


# --- applying ----------------------------------------------------------------------------


class _Admin(Protocol):
    """confluent-kafka's ``AdminClient``, as far as :func:`apply` uses it, with the results
    of its futures (its own annotations leave them out)."""

    def alter_user_scram_credentials(self, alterations: list[UserScramCredentialAlteration],
                                     *, request_timeout: float) -> dict[str, Future[None]]: ...

    def create_acls(self, acls: list[AclBinding], *, request_timeout: float
                    ) -> dict[AclBinding, Future[None]]: ...

    def describe_acls(self, acl_binding_filter: AclBindingFilter, *, request_timeout: float
                      ) -> Future[list[AclBinding]]: ...


def apply(access: KafkaAccess, passwords: Mapping[str, str], grants: Iterable[Grant],
          timeout: float = 30.0) -> None:
    """Create or update the SCRAM credential of every user in ``passwords`` and create every
    ACL of ``grants`` (creating an ACL that exists changes nothing). ``access`` must be a
    super user. Raises :class:`RuntimeError` naming what the broker refused."""
    # confluent-kafka's admin package re-exports these without marking them public for
    # type checkers: imported from the modules that define them.
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.admin._acl import (
        AclBinding,
        AclBindingFilter,
        AclOperation,
        AclPermissionType,
    )
    from confluent_kafka.admin._resource import ResourcePatternType, ResourceType
    from confluent_kafka.admin._scram import (
        ScramCredentialInfo,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )

    config: dict[str, str | int | float | bool] = {**librdkafka_config(access)}
    admin = cast(_Admin, AdminClient(config))
    failures: list[str] = []
    if passwords:
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        upserts: list[UserScramCredentialAlteration] = [
            UserScramCredentialUpsertion(user, info, password.encode())
            for user, password in passwords.items() if user != ADMIN]
        if upserts:
            for user, future in admin.alter_user_scram_credentials(
                    upserts, request_timeout=timeout).items():
                try:
                    future.result()
                except Exception as error:
                    failures.append(f"credential of {user}: {error}")
    resource_types = {Resource.TOPIC: ResourceType.TOPIC, Resource.GROUP: ResourceType.GROUP,
                      Resource.CLUSTER: ResourceType.BROKER}
    patterns = {Pattern.LITERAL: ResourcePatternType.LITERAL,
                Pattern.PREFIXED: ResourcePatternType.PREFIXED}
    bindings = [AclBinding(resource_types[grant.resource], grant.name, patterns[grant.pattern],
                           grant.principal, "*", AclOperation[grant.operation.name],
                           AclPermissionType.ALLOW)
                for grant in sorted(grants)]
    if bindings:
        for binding, future in admin.create_acls(bindings, request_timeout=timeout).items():
            try:
                future.result()
            except Exception as error:
                failures.append(f"ACL {binding}: {error}")
    if failures:
        raise RuntimeError("Kafka refused: " + "; ".join(failures))
    # Credentials and ACLs reach the brokers through the metadata log, in order, a moment
    # after the controller committed them: once a broker's authoriser shows the last ACL, it
    # knows every credential written before it too, and a service can sign in at once.
    # None matches any name, principal and host (confluent-kafka's annotations say str).
    everything = AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY,  # pyright: ignore[reportArgumentType]
        None, None, AclOperation.ANY, AclPermissionType.ANY)  # pyright: ignore[reportArgumentType]
    deadline = time.monotonic() + timeout
    while True:
        shown = set(admin.describe_acls(everything, request_timeout=timeout).result())
        if all(binding in shown for binding in bindings):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the broker did not show the new ACLs within {timeout:.0f} s")
        time.sleep(0.05)


def librdkafka_config(access: KafkaAccess) -> dict[str, str]:
    """confluent-kafka's (librdkafka's) client settings for ``access``."""
    config = {"bootstrap.servers": access.bootstrap_servers,
              "security.protocol": access.security_protocol.lower()}
    if access.authenticated:
        config.update({"sasl.mechanism": "SCRAM-SHA-512",
                       "sasl.username": access.username or "",
                       "sasl.password": access.password or ""})
    if access.ca_file is not None:
        config["ssl.ca.location"] = str(access.ca_file)
    return config
