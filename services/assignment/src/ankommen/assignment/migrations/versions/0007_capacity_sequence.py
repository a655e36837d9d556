"""The sequence of capacity snapshots per district and course type (issue 15).

A fact's envelope time now says only its month, so monitoring can no longer tell which of a
month's capacity snapshots is the latest by it; each ``CourseCapacityFact`` carries a
``sequence`` from this counter instead. It starts empty: the first snapshot of a pair after the
upgrade gets 1 (monitoring orders every snapshot with a sequence after those without).

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
    op.create_table(
        "capacity_sequence",
        sa.Column("district", sa.String(5), primary_key=True),
        sa.Column("course_type", sa.String(32), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("capacity_sequence")
