"""Alembic environment of assignment: migrates assignment's own database only."""

from ankommen.assignment.adapters.tables import metadata
from ankommen.shared.db.migrations import run_env

run_env(metadata)
