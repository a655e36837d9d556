"""Courses, placements and the provider-report history.

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
    op.create_table(
        "courses",
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("course_type", sa.String(40), nullable=False),
        sa.Column("region_key", sa.String(8), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("hours", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_index("ix_courses_provider_id", "courses", ["provider_id"])
    op.create_table(
        "placements",
        sa.Column("referral_code", sa.String(20), primary_key=True),
        sa.Column("placement_id", sa.String(64), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_index("ix_placements_pseudonym", "placements", ["pseudonym"])
    op.create_index("ix_placements_course_id", "placements", ["course_id"])
    op.create_index("ix_placements_provider_id", "placements", ["provider_id"])
    op.create_table(
        "reports",
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("referral_code", sa.String(20), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("corrects_report_id", sa.String(64), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("provider_id", "report_id", name="uq_reports_provider_report"),
    )
    op.create_index("ix_reports_referral_code", "reports", ["referral_code"])
    op.create_index("ix_reports_pseudonym", "reports", ["pseudonym"])
    op.create_index("ix_reports_referral_sequence", "reports", ["referral_code", "sequence"])


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("placements")
    op.drop_table("courses")
