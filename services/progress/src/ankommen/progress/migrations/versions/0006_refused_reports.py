"""Refused reports: what a provider sent that was refused, and why, kept for a while so that
its staff can see and send it again (issue 19).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refused_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=True),
        sa.Column("referral_code", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("problems", sa.Text, nullable=False),
    )
    op.create_index("ix_refused_reports_refused_at", "refused_reports", ["refused_at"])
    op.create_index("ix_refused_reports_provider_refused_at", "refused_reports",
                    ["provider_id", "refused_at"])


def downgrade() -> None:
    op.drop_index("ix_refused_reports_provider_refused_at", table_name="refused_reports")
    op.drop_index("ix_refused_reports_refused_at", table_name="refused_reports")
    op.drop_table("refused_reports")
