"""Alembic environment of intake: migrates intake's own database only."""

from ankommen.intake.adapters.tables import metadata
from ankommen.shared.db.migrations import run_env

run_env(metadata)
