"""Alembic environment of progress: migrates progress's own database only."""

from ankommen.progress.adapters.tables import metadata
from ankommen.shared.db.migrations import run_env

run_env(metadata)
