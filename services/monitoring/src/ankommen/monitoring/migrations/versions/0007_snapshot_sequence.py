"""Capacity snapshots are ordered by their producer's sequence (issue 15: a fact's time says
only its month, so the publication time can no longer tell which snapshot of a month is last).

Stored snapshots keep a NULL sequence and are replaced by the first snapshot with one; among
snapshots without one, publication time still orders, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("sequence")
