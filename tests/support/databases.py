"""Databases for tests: a SQLite file per service, or — when ANKOMMEN_TEST_POSTGRES_URL is
set — a fresh PostgreSQL database per service, dropped afterwards (each service has its own
database in production too)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("ANKOMMEN_TEST_POSTGRES_URL")


def _admin_dsn() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class DatabaseFactory:
    """Hands out one database URL per (test, service) on the chosen backend."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self._folder = folder
        self._created: list[str] = []

    async def url(self, service: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self._folder / f'{service}-{uuid.uuid4().hex[:8]}.db'}"
        name = f"ankommen_test_{service}_{uuid.uuid4().hex[:10]}"
        connection = await asyncpg.connect(_admin_dsn())
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self._created.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        if not self._created:
            return
        connection = await asyncpg.connect(_admin_dsn())
        try:
            for name in self._created:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
        self._created.clear()
