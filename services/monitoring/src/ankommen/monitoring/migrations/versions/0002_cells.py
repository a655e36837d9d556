"""Generic aggregate cells for the Cell Key Method; the raw arrival counts go.

The old counts carry no record keys, so they cannot be protected; after this upgrade
``ankommen-monitoring rebuild`` rebuilds every aggregate from the facts topic.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("arrival_counts")
    op.create_table(
        "cells",
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(5), nullable=False),
        sa.Column("dimensions", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("key_sum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("measure", "month", "district", "dimensions", name="pk_cells"),
    )
    op.create_table(
        "cell_values",
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(5), nullable=False),
        sa.Column("dimensions", sa.String(200), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("measure", "month", "district", "dimensions", "value",
                                name="pk_cell_values"),
    )
    op.create_table(
        "fact_intake",
        sa.Column("fact_type", sa.String(200), nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
        sa.Column("late", sa.Integer, nullable=False),
        sa.Column("unused", sa.Integer, nullable=False),
        sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fact_type", name="pk_fact_intake"),
    )


def downgrade() -> None:
    op.drop_table("fact_intake")
    op.drop_table("cell_values")
    op.drop_table("cells")
    op.create_table(
        "arrival_counts",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(5), nullable=False),
        sa.Column("german_level", sa.String(2), nullable=False),
        sa.Column("arrivals", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("month", "district", "german_level", name="pk_arrival_counts"),
    )
