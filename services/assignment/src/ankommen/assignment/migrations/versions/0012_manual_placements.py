"""Placements a coordinator makes by hand (issue 19): an append-only audit trail of who placed
whom (by placement id) into which course, when and why, and which rules were overridden.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manual_placements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("placement_id", sa.String(64), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("overridden", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_manual_placements_placement_id", "manual_placements", ["placement_id"])
    op.create_index("ix_manual_placements_course_id", "manual_placements", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_manual_placements_course_id", "manual_placements")
    op.drop_index("ix_manual_placements_placement_id", "manual_placements")
    op.drop_table("manual_placements")
