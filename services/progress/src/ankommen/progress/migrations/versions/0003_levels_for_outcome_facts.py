"""German levels for monitoring's level gained: the latest level known per case, and the level
at the start of each placement.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_cases") as table:
        table.add_column(sa.Column("german_level", sa.String(2), nullable=True))
    with op.batch_alter_table("placements") as table:
        table.add_column(sa.Column("level_at_start", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placements") as table:
        table.drop_column("level_at_start")
    with op.batch_alter_table("known_cases") as table:
        table.drop_column("german_level")
