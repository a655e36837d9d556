"""What every benchmark needs: a fresh broker — the embedded one (Tansu) or Apache Kafka, as
production runs it, when ANKOMMEN_BENCH_BROKER=kafka — and a database per service (SQLite in a
temporary folder, or a fresh PostgreSQL database when ANKOMMEN_BENCH_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Protocol

from aiokafka import AIOKafkaProducer

from ankommen.shared.messaging.topics import create_topics
from ankommen.shared.settings import PRODUCTION_TRACE_SAMPLE_RATIO, BrokerKind
from ankommen.tools.apache_kafka import KafkaCluster, wait_until_serving
from ankommen.tools.embedded import EmbeddedBroker, free_port
from tests.support.brokers import fresh_topics
from tests.support.tokens import trust_in_this_process

# Services the benchmarks build or start (inheriting this environment) trust the tests' token
# issuer, as in the tests: no benchmark reads or makes the data dir's development key pair.
trust_in_this_process()
# The services trace as production does by default (a share of the traces recorded), not as
# the development profile they run in (every trace): tracing every request cost intake 10–12 %
# of its CPU per registration. ANKOMMEN_TRACE_SAMPLE_RATIO=1 measures the development cost.
os.environ.setdefault("ANKOMMEN_TRACE_SAMPLE_RATIO", str(PRODUCTION_TRACE_SAMPLE_RATIO))

POSTGRES = os.environ.get("ANKOMMEN_BENCH_POSTGRES_URL")
#: The provider whose own system reports over Kafka in the benchmarks (B2, B7): its topics
#: are created with the others.
KAFKA_PROVIDER = "vhs-heidekreis"


#: ANKOMMEN_BENCH_BROKER's values: the embedded broker (the default) or Apache Kafka.
EMBEDDED, KAFKA = "embedded", "kafka"
BROKERS = (EMBEDDED, KAFKA)


def database_label() -> str:
    return "postgresql" if POSTGRES else "sqlite"


def broker_label() -> str:
    """The broker the benchmarks run on (ANKOMMEN_BENCH_BROKER, ``embedded`` if unset)."""
    chosen = os.environ.get("ANKOMMEN_BENCH_BROKER", "").strip().lower() or EMBEDDED
    if chosen not in BROKERS:
        raise ValueError(f"ANKOMMEN_BENCH_BROKER={chosen!r}: one of {', '.join(BROKERS)}")
    return chosen


class Broker(Protocol):
    @property
    def bootstrap_servers(self) -> str: ...


@contextlib.contextmanager
def broker() -> Iterator[Broker]:
    """A fresh broker with every topic of ankommen (the benchmark provider's too), chosen by
    ANKOMMEN_BENCH_BROKER. The services started meanwhile inherit this process's environment
    and are told which broker it is (ANKOMMEN_KAFKA_BROKER_KIND): Tansu lacks the
    idempotent-producer handshake, and a service expecting it never gets ready; on Apache
    Kafka the services use it, as in production."""
    kafka = broker_label() == KAFKA
    kind = os.environ.get("ANKOMMEN_KAFKA_BROKER_KIND")
    os.environ["ANKOMMEN_KAFKA_BROKER_KIND"] = (BrokerKind.APACHE_KAFKA if kafka
                                                else BrokerKind.TANSU).value
    with tempfile.TemporaryDirectory() as folder:
        started: Broker
        if kafka:
            # One node, open (PLAINTEXT), as the tests' shared broker: the benchmarks measure
            # the services, not SASL. Its JVM is this process's child and stops with the run.
            cluster = KafkaCluster(Path(folder) / "kafka").start()
            stop = cluster.stop
            started = cluster
        else:
            embedded = EmbeddedBroker(port=free_port(),
                                      log_file=Path(folder) / "broker.log").start()
            stop = embedded.stop
            started = embedded
        try:
            if kafka:
                # As the tests' broker: every partition led and its offsets readable before
                # the first message (a fresh Kafka answers metadata before it serves them).
                asyncio.run(wait_until_serving(started.bootstrap_servers))
                asyncio.run(fresh_topics(started.bootstrap_servers,
                                         providers=(KAFKA_PROVIDER,)))
            else:
                asyncio.run(create_topics(started.bootstrap_servers,
                                          providers=(KAFKA_PROVIDER,)))
            yield started
        finally:
            stop()
            if kind is None:
                os.environ.pop("ANKOMMEN_KAFKA_BROKER_KIND", None)
            else:
                os.environ["ANKOMMEN_KAFKA_BROKER_KIND"] = kind


@contextlib.asynccontextmanager
async def database(folder: Path, name: str) -> AsyncIterator[str]:
    """A fresh, empty database URL for one service."""
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{folder / name}.db"
        return
    import asyncpg

    base, _, _ = POSTGRES.rpartition("/")
    database_name = f"bench_{name}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg", "postgresql"))
    await admin.execute(f'CREATE DATABASE "{database_name}"')
    try:
        yield f"{base}/{database_name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        await admin.close()


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> float:
    """Raw aiokafka production (acks=all, pipelined): seconds for all messages."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                max_batch_size=256 * 1024)
    await producer.start()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        futures = [await producer.send(topic, body, key=key) for key, body in messages]
        await asyncio.gather(*futures)
        return loop.time() - started
    finally:
        await producer.stop()
