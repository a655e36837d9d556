"""Alembic environment of monitoring: migrates monitoring's own database only."""

from ankommen.monitoring.adapters.tables import metadata
from ankommen.shared.db.migrations import run_env

run_env(metadata)
