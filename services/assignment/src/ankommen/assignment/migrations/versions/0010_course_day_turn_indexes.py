"""Indexes for the day turn's questions about courses (issue 16): which planned or open
courses have reached their start day, and which running ones are past their last day. The turn
runs before every allocation (after each batch of events), so these must not scan the table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_courses_status_starts_on", "courses", ["status", "starts_on"])
    op.create_index("ix_courses_status_ends_on", "courses", ["status", "ends_on"])


def downgrade() -> None:
    op.drop_index("ix_courses_status_ends_on", table_name="courses")
    op.drop_index("ix_courses_status_starts_on", table_name="courses")
