"""Fixtures shared by all tests: the real embedded broker, real databases, tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from ankommen.shared.embedded import EmbeddedBroker, free_port
from ankommen.shared.topics import create_topics
from tests.support.databases import POSTGRES_URL, DatabaseFactory

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="ANKOMMEN_TEST_POSTGRES_URL is not set"),
    ]),
]


@pytest.fixture
def kafka(tmp_path) -> Iterator[EmbeddedBroker]:  # noqa: ANN001
    """A fresh embedded broker per test (it starts in milliseconds), with every topic."""
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=tmp_path / "broker.log").start()
    try:
        asyncio.run(create_topics(broker.bootstrap_servers))
        yield broker
    finally:
        broker.stop()


@pytest.fixture(params=BACKENDS)
async def databases(request, tmp_path) -> AsyncIterator[DatabaseFactory]:  # noqa: ANN001
    """Databases for the services under test, on SQLite and (when configured) PostgreSQL."""
    factory = DatabaseFactory(request.param, tmp_path)
    yield factory
    await factory.drop_all()


@pytest.fixture
async def sqlite_databases(tmp_path) -> AsyncIterator[DatabaseFactory]:  # noqa: ANN001
    """SQLite only: for tests whose subject is not the database."""
    yield DatabaseFactory("sqlite", tmp_path)
