"""Waiting list, outbox and inbox.

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
        "waiting_people",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("region_key", sa.String(8), nullable=False),
        sa.Column("german_level", sa.String(2), nullable=False),
        sa.Column("waiting_since", sa.Date, nullable=False),
    )
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
    op.drop_table("waiting_people")
