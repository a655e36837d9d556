"""Brokers for tests: one Apache Kafka per test session, a clean slate per test.

Starting a Kafka JVM takes seconds, so the session shares one broker and every test gets it
with all of ankommen's topics deleted and created again: no message, consumer offset or dead
letter of an earlier test is left (Kafka drops a deleted topic's committed offsets). The smoke
set (tests marked ``tansu``) runs a second time against the embedded Tansu broker, which starts
in milliseconds and gets a fresh process per test.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.kafka_acls import ADMIN, acl_plan, apply, principals
from ankommen.shared.messaging.topics import create_missing, create_topics, topic_plan
from ankommen.tools.apache_kafka import KafkaCluster, KafkaNode, pinned_version, wait_until_serving
from ankommen.tools.embedded import EmbeddedBroker, free_port, tansu_version

APACHE_KAFKA = "apache-kafka"
TANSU = "tansu"


class TestBroker(Protocol):
    """What a test may do with its broker: connect, and stop or start it (an outage)."""

    host: str
    port: int

    @property
    def bootstrap_servers(self) -> str: ...

    def stop(self) -> None: ...

    def start(self) -> object: ...


def kafka_description() -> str:
    return f"Apache Kafka {pinned_version()} (KRaft, from Maven Central)"


def tansu_description() -> str:
    return f"Tansu {tansu_version()} (embedded, in memory)"


@dataclass
class SharedKafka:
    """The session's Kafka node as one test sees it."""

    cluster: KafkaCluster

    @property
    def node(self) -> KafkaNode:
        return self.cluster.nodes[0]

    @property
    def host(self) -> str:
        return self.node.host

    @property
    def port(self) -> int:
        return self.node.port

    @property
    def bootstrap_servers(self) -> str:
        return self.cluster.bootstrap_servers

    def stop(self) -> None:
        """An outage: the broker shuts down; :meth:`start` brings it back with its data."""
        self.node.stop()

    def start(self) -> SharedKafka:
        """Blocks until the broker serves again — also when called from an async test, whose
        event loop then waits with it (as a test of an outage expects)."""
        if not self.node.running:
            self.cluster.restart(self.node)
            with ThreadPoolExecutor(1) as thread:  # asyncio.run needs a loop of its own
                thread.submit(asyncio.run, wait_until_serving(self.bootstrap_servers)).result()
        return self


def start_session_kafka(folder: Path) -> KafkaCluster:
    cluster = KafkaCluster(folder).start()
    asyncio.run(wait_until_serving(cluster.bootstrap_servers))
    return cluster


async def fresh_topics(bootstrap: str, within: float = 60.0, *,
                       replication_factor: int = 1, providers: tuple[str, ...] = ()) -> None:
    """Delete every topic of ankommen (and any a test made) and create the plan again
    (``providers``' own topics too), then wait until each partition has a leader that
    answers for it.

    A leader in the metadata is not yet a leader that serves: right after a topic of the same
    name was deleted, the broker may refuse offset requests for the new partitions for a while
    (``NotLeaderForPartition``), and a consumer that starts then keeps retrying. So the test
    starts only once every partition's offsets can be read."""
    plan = topic_plan(providers=providers)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        deadline = time.monotonic() + within
        existing = {name for name in await admin.list_topics() if not name.startswith("__")}
        if existing:
            await admin.delete_topics(sorted(existing))
        # The controller answers once the deletion is committed — or when its timeout ran out,
        # the deletion still under way — and the broker applies it later. Until then the broker
        # lists the old topics, with leaders, and takes messages for them: the checks below
        # would pass on topics about to vanish, taking a test's first messages with them.
        while left := existing & set(await admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"old topics not deleted: {', '.join(sorted(left))}")
            await asyncio.sleep(0.05)
        remaining = dict(plan)
        while remaining:
            # Deletion finishes asynchronously: a name still being deleted is refused for a
            # moment and created on the next round.
            try:
                for name in await create_missing(admin, remaining, replication_factor):
                    remaining.pop(name, None)
                remaining = {name: count for name, count in remaining.items()
                             if name not in set(await admin.list_topics())}
            except RuntimeError:
                pass
            if remaining:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"topics not re-created: {', '.join(remaining)}")
                await asyncio.sleep(0.05)
        await _led(admin, plan, deadline)
    finally:
        await admin.close()
    await _offsets_readable(bootstrap, plan, deadline)


async def _led(admin: AIOKafkaAdminClient, plan: dict[str, int], deadline: float) -> None:
    """Until every partition of ``plan`` has a leader."""
    while not await _all_led(admin, plan):
        if time.monotonic() > deadline:
            raise TimeoutError("new topics have no partition leaders")
        await asyncio.sleep(0.05)


async def _offsets_readable(bootstrap: str, plan: dict[str, int], deadline: float) -> None:
    partitions = [TopicPartition(name, number) for name, count in plan.items()
                  for number in range(count)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    await consumer.start()
    try:
        while True:
            try:
                await consumer.end_offsets(partitions)
                return
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
    finally:
        await consumer.stop()


async def _all_led(admin: AIOKafkaAdminClient, plan: dict[str, int]) -> bool:
    descriptions = await admin.describe_topics(list(plan))
    for topic in descriptions:
        partitions = topic.get("partitions", [])
        if topic.get("error_code") or len(partitions) != plan[topic["topic"]]:
            return False
        if any(partition.get("leader", -1) < 0 for partition in partitions):
            return False
    return True


async def provider_channels(bootstrap: str, *provider_ids: str, within: float = 30.0) -> None:
    """Each provider's own topics (reports, rejections and their dead letters), as
    ``ankommen topics create`` makes them for ANKOMMEN_KAFKA_PROVIDERS, ready to serve. Not
    part of every test's fresh topics: only the tests of the provider channel pay for them."""
    plan = topic_plan((), providers=provider_ids)
    deadline = time.monotonic() + within
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        await create_missing(admin, plan)
        await _led(admin, plan, deadline)
    finally:
        await admin.close()
    await _offsets_readable(bootstrap, plan, deadline)


def fresh_tansu(folder: Path) -> EmbeddedBroker:
    from ankommen.shared.messaging.topics import create_topics

    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=folder / "broker.log").start()
    asyncio.run(create_topics(broker.bootstrap_servers))
    return broker


#: The provider systems the secured broker knows (their principals, topics and ACLs).
SECURED_PROVIDERS = ("vhs-a", "vhs-b")


@dataclass
class SecuredKafka:
    """A second session broker with the authoriser on, as in production: SASL/SCRAM over
    TLS (SASL_SSL, a CA made for the session), ACLs from
    :func:`~ankommen.shared.messaging.kafka_acls.acl_plan`, a principal per service and provider.

    Separate from the session's open broker (``kafka``), which most tests share: they create
    and delete topics at will per test and publish as whatever they play (a provider, a
    forger), which an authorising broker would refuse. The tests of the ACLs themselves need
    this one, and it starts only when one of them asks for it."""

    cluster: KafkaCluster
    passwords: dict[str, str]

    @property
    def bootstrap_servers(self) -> str:
        return self.cluster.bootstrap_servers

    def access(self, user: str, password: str | None = None) -> KafkaAccess:
        """The broker as ``user`` (with a password of the test's choosing, if given)."""
        return self.cluster.admin.as_user(
            user, self.passwords[user] if password is None else password)


def start_secured_kafka(folder: Path) -> SecuredKafka:
    passwords = {user: secrets.token_urlsafe(24) for user in principals(SECURED_PROVIDERS)}
    cluster = KafkaCluster(folder, admin_password=passwords[ADMIN],
                           tls_folder=folder / "tls").start()
    try:
        admin = cluster.admin
        asyncio.run(wait_until_serving(admin))
        # As ``ankommen topics create`` does: topics, users and ACLs from one provider list.
        asyncio.run(create_topics(admin, providers=SECURED_PROVIDERS))
        apply(admin, passwords, acl_plan(SECURED_PROVIDERS))
    except BaseException:
        cluster.stop()
        raise
    return SecuredKafka(cluster, passwords)


async def connects(target: str | KafkaAccess) -> bool:
    """Whether a client gets in (authenticates, where the broker asks for it)."""
    from aiokafka.errors import KafkaConnectionError

    admin = AIOKafkaAdminClient(**client_options(target), request_timeout_ms=5_000)
    try:
        await admin.start()
        return True
    except KafkaConnectionError:
        return False
    finally:
        await admin.close()


async def write_as(access: KafkaAccess, topic: str) -> None:
    """One message onto ``topic`` as ``access``'s principal (raises what the broker refuses,
    e.g. ``TopicAuthorizationFailedError``)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(**client_options(access), acks="all", enable_idempotence=True,
                                request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"forged": true}', key=b"victim")
    finally:
        await producer.stop()
