"""Snapshots: the last capacity snapshot per month × district × course type.

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
    op.create_table(
        "snapshots",
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(5), nullable=False),
        sa.Column("dimensions", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rank", sa.BigInteger, nullable=False),
        sa.Column("key", sa.BigInteger, nullable=False),
        sa.Column("counts", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("measure", "month", "district", "dimensions",
                                name="pk_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("snapshots")
