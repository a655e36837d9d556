"""What every benchmark needs: a fresh embedded broker, a database per service (SQLite in a
temporary folder, or a fresh PostgreSQL database when ANKOMMEN_BENCH_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from aiokafka import AIOKafkaProducer

from ankommen.shared.embedded import EmbeddedBroker, free_port
from ankommen.shared.topics import create_topics
from tests.support.tokens import trust_in_this_process

# Services the benchmarks build or start (inheriting this environment) trust the tests' token
# issuer, as in the tests: no benchmark reads or makes the data dir's development key pair.
trust_in_this_process()

POSTGRES = os.environ.get("ANKOMMEN_BENCH_POSTGRES_URL")
#: The provider whose own system reports over Kafka in the benchmarks (B2, B7): its topics
#: are created with the others.
KAFKA_PROVIDER = "vhs-heidekreis"


def database_label() -> str:
    return "postgresql" if POSTGRES else "sqlite"


@contextlib.contextmanager
def broker() -> Iterator[EmbeddedBroker]:
    """The embedded broker (Tansu). The services started meanwhile inherit this process's
    environment and are told which broker it is: Tansu lacks the idempotent-producer
    handshake, and a service expecting it never gets ready."""
    kind = os.environ.get("ANKOMMEN_KAFKA_BROKER_KIND")
    os.environ["ANKOMMEN_KAFKA_BROKER_KIND"] = "tansu"
    with tempfile.TemporaryDirectory() as folder:
        embedded = EmbeddedBroker(port=free_port(), log_file=Path(folder) / "broker.log").start()
        try:
            asyncio.run(create_topics(embedded.bootstrap_servers,
                                      providers=(KAFKA_PROVIDER,)))
            yield embedded
        finally:
            embedded.stop()
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
