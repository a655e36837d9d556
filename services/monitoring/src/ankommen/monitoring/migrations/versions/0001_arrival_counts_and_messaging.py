"""Arrival counts, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from ankommen.shared.messaging.tables import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "arrival_counts",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(5), nullable=False),
        sa.Column("german_level", sa.String(2), nullable=False),
        sa.Column("arrivals", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("month", "district", "german_level", name="pk_arrival_counts"),
    )
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
    op.drop_table("arrival_counts")
