"""Alembic, driven from code: each service keeps its migrations in its own package and applies
them with ``ankommen-<service> migrate`` (or at start-up in the embedded profile).

There is no alembic.ini: the script location is the service's ``migrations`` package, and the
connection is handed to ``env.py`` so that migrations run on the service's async engine.
"""

from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, script_location: str, revision: str = "head") -> None:
    """Bring the database of ``engine`` to ``revision``."""
    config = alembic_config(script_location, engine.url.render_as_string(hide_password=False))

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_run)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``env.py``: migrate on the connection we were handed."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        # Offline mode (``alembic upgrade --sql``) renders SQL for an operator to review.
        context.configure(url=context.config.get_main_option("sqlalchemy.url"),
                          target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
