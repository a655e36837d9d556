"""The broker of the embedded stack: Apache Kafka where this machine can run it, else Tansu.

``ankommen run`` should behave like production and keep what it was given. Apache Kafka keeps
every topic, message and consumer offset in its log under the data dir (``var/kafka``), so
after a restart the services go on where they stopped and ``ankommen-monitoring rebuild`` can
still replay the whole facts topic. Kafka needs Java 17+ and Maven (which resolves it once),
and ``make run`` installs neither: without them the stack starts on the in-memory Tansu broker
instead, and says in one line what that costs — the broker keeps nothing across restarts.

The choice decides one setting of every service as well (``ANKOMMEN_KAFKA_BROKER_KIND``): Tansu
lacks the idempotent-producer handshake and forgets topics on a restart, so the services apply
its workarounds there, and only there. ``ANKOMMEN_EMBEDDED_BROKER=kafka|tansu``
forces a choice; a forced Kafka that cannot run is an error, never a quiet fallback.

Apache Kafka runs secured, as in production (docs/security.md): SASL/SCRAM on loopback, the
authoriser on, one principal per service with the ACLs of
:mod:`ankommen.shared.messaging.kafka_acls`. The passwords are generated on first start and kept
under ``var/kafka/credentials`` (one file per user, readable by this user only); each service is
started with its own. Tansu knows neither authentication nor ACLs: it runs open, and its start-up
line says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ankommen.shared.messaging.kafka_access import KafkaAccess
from ankommen.shared.messaging.kafka_acls import (
    ADMIN,
    acl_plan,
    apply,
    ensure_credentials,
    principals,
)
from ankommen.shared.settings import BrokerChoice, BrokerKind
from ankommen.tools import apache_kafka
from ankommen.tools.apache_kafka import KafkaCluster, KafkaUnavailable
from ankommen.tools.embedded import EmbeddedBroker, split_address, tansu_version

#: Apache Kafka's log folder below the data dir.
KAFKA_FOLDER = "kafka"
#: The generated Kafka passwords below Kafka's folder, one file per user.
CREDENTIALS_FOLDER = "credentials"
_CHOICE_VARIABLE = "ANKOMMEN_EMBEDDED_BROKER"


class BrokerUnavailable(RuntimeError):
    """Kafka was asked for (``ANKOMMEN_EMBEDDED_BROKER=kafka``) but cannot run here."""


@dataclass
class LocalBroker:
    """A started broker: what it is, where it listens, how the services must talk to it."""

    #: Kind and version, e.g. "Apache Kafka 4.1.1".
    name: str
    bootstrap_servers: str
    #: Which broker it is, so that the services apply Tansu's workarounds only on Tansu.
    kind: BrokerKind
    #: The one line said on start-up: which broker, and what it keeps.
    notice: str
    process: KafkaCluster | EmbeddedBroker
    #: Every user's password (none on an open broker).
    passwords: dict[str, str] = field(default_factory=dict[str, str], repr=False)

    @property
    def admin(self) -> KafkaAccess:
        """The broker as ``User:admin`` (topics, ACLs); on an open broker, as anyone."""
        if ADMIN not in self.passwords:
            return KafkaAccess(self.bootstrap_servers)
        return KafkaAccess(self.bootstrap_servers, ADMIN, self.passwords[ADMIN])

    @property
    def running(self) -> bool:
        if isinstance(self.process, KafkaCluster):
            return all(node.running for node in self.process.nodes)
        return self.process.process is not None and self.process.process.poll() is None

    def stop(self) -> None:
        """A clean stop: Kafka shuts down controlled and keeps its log for the next start."""
        self.process.stop()

    def service_environment(self, service: str | None = None) -> dict[str, str]:
        """What ``service``'s environment must say about this broker: where it is, and on a
        secured broker the service's own principal."""
        environment = {"ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                       "ANKOMMEN_KAFKA_BROKER_KIND": self.kind.value}
        if service is not None and service in self.passwords:
            environment.update(ANKOMMEN_KAFKA_USERNAME=service,
                               ANKOMMEN_KAFKA_PASSWORD=self.passwords[service])
        return environment


def start_local_broker(choice: BrokerChoice, data_dir: Path, bootstrap: str,
                       say: Callable[[str], None], providers: Iterable[str] = ()
                       ) -> LocalBroker:
    """Start the broker ``choice`` names on the first address of ``bootstrap``; on Apache
    Kafka, each of ``providers`` (``ANKOMMEN_KAFKA_PROVIDERS``) gets its principal and ACLs,
    as ``ankommen topics create`` gives them in production.

    Raises :class:`BrokerUnavailable` when Kafka is forced but cannot run, and
    ``RuntimeError``/``TimeoutError`` when the chosen broker does not start (e.g. the port is
    taken) — a Kafka that fails with its data is not replaced by an empty Tansu."""
    host, port = split_address(bootstrap)
    if choice is BrokerChoice.TANSU:
        return _start_tansu(host, port, data_dir, f"chosen by {_CHOICE_VARIABLE}=tansu")
    try:
        return _start_kafka(host, port, data_dir / KAFKA_FOLDER, say, tuple(providers))
    except KafkaUnavailable as error:
        if choice is BrokerChoice.KAFKA:
            raise BrokerUnavailable(f"Apache Kafka unavailable ({error}), but "
                                    f"{_CHOICE_VARIABLE}=kafka asks for it") from None
        return _start_tansu(host, port, data_dir, f"Apache Kafka unavailable ({error})")


def _start_kafka(host: str, port: int, folder: Path, say: Callable[[str], None],
                 providers: tuple[str, ...]) -> LocalBroker:
    credentials = folder / CREDENTIALS_FOLDER
    if (folder / "node-1" / "metadata" / "meta.properties").exists() and \
            not credentials.exists():
        # Its metadata has no admin credential, and a formatted log cannot be given one.
        raise RuntimeError(f"{folder} holds a Kafka log from before authentication (issue "
                           f"14); remove the folder (its data is lost) to start secured")
    _resolve_kafka(say)
    name = f"Apache Kafka {apache_kafka.pinned_version()}"
    passwords = ensure_credentials(credentials, principals(providers))
    cluster = KafkaCluster(folder.resolve(), host=host, port=port,
                           admin_password=passwords[ADMIN]).start()
    try:
        asyncio.run(apache_kafka.wait_until_serving(cluster.admin))
        apply(cluster.admin, passwords, acl_plan(providers))
    except BaseException:
        cluster.stop()
        raise
    return LocalBroker(name, cluster.bootstrap_servers, BrokerKind.APACHE_KAFKA,
                       f"broker: {name} (KRaft), log in {folder}; topics, offsets and "
                       "monitoring's history survive restarts; SASL/SCRAM with a principal "
                       f"per service and ACLs (passwords in {credentials})", cluster,
                       passwords)


def local_access(data_dir: Path, bootstrap: str, user: str = ADMIN) -> KafkaAccess:
    """The embedded Apache Kafka as ``user`` from the kept credentials (the demo plays each
    provider's system as that provider's principal); an open broker when there are none
    (Tansu). A user without a password file (a provider not in ``ANKOMMEN_KAFKA_PROVIDERS``
    when the broker started) is a ``LookupError``."""
    folder = data_dir / KAFKA_FOLDER / CREDENTIALS_FOLDER
    if not (folder / ADMIN).exists():
        return KafkaAccess(bootstrap)
    if not (folder / user).exists():
        raise LookupError(f"no Kafka password for {user} in {folder} (is it a provider of "
                          "ANKOMMEN_KAFKA_PROVIDERS? make run adds it on its next start)")
    return KafkaAccess(bootstrap, user, (folder / user).read_text().strip())


def _resolve_kafka(say: Callable[[str], None]) -> None:
    """Maven resolves Kafka on first use only, which takes a while: say so when it does."""
    apache_kafka.check_java()
    if apache_kafka.resolved():
        return
    say(f"resolving Apache Kafka {apache_kafka.pinned_version()} with Maven (first run only; "
        f"the class path is kept in {apache_kafka.cache_dir()}) …")
    started = time.monotonic()
    apache_kafka.classpath()
    say(f"resolved in {time.monotonic() - started:.0f} s")


def _start_tansu(host: str, port: int, data_dir: Path, why: str) -> LocalBroker:
    broker = EmbeddedBroker(host, port, log_file=data_dir / "broker.log").start()
    name = f"Tansu {tansu_version()}"
    return LocalBroker(name, broker.bootstrap_servers, BrokerKind.TANSU,
                       f"broker: {name} (embedded, in memory) — {why}; the broker keeps "
                       "nothing across restarts and runs OPEN: no authentication, no ACLs",
                       broker)
