"""Each service's Alembic migrations build exactly the tables its code uses, and the migrate
command applies them (on SQLite, and on PostgreSQL when configured)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ankommen.shared.db.engine import create_engine
from ankommen.shared.stack import SERVICES


@pytest.mark.parametrize("service", list(SERVICES))
async def test_migrate_command_builds_the_schema_the_code_expects(service, databases):
    url = await databases.url(service)
    environment = {**os.environ, f"ANKOMMEN_{service.upper()}_DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", f"ankommen.{service}", "migrate"],  # noqa: ASYNC221
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    metadata = importlib.import_module(f"ankommen.{service}.adapters.tables").metadata
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
    finally:
        await engine.dispose()
    assert differences == []
