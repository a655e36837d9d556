"""Placements confirmed with a provider (for the consented disclosure of contact details)
and the disclosure columns of the audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("recipient", sa.String(40), nullable=True))
        batch.add_column(sa.Column("disclosed", sa.String(100), nullable=True))
    op.create_table(
        "provider_placements",
        sa.Column("referral_code", sa.String(20), primary_key=True),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_provider_placements_pseudonym", "provider_placements", ["pseudonym"])
    op.create_index("ix_provider_placements_provider_id", "provider_placements",
                    ["provider_id"])


def downgrade() -> None:
    op.drop_table("provider_placements")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("disclosed")
        batch.drop_column("recipient")
