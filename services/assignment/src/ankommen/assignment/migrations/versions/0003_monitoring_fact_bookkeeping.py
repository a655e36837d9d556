"""What assignment last reported to monitoring: unmet demand per wait and month, seat figures
per month, district and course type.

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
    with op.batch_alter_table("waiting_people") as table:
        table.add_column(sa.Column("unmet_reported_month", sa.String(7), nullable=True))
    op.create_table(
        "capacity_reported",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("district", sa.String(5), primary_key=True),
        sa.Column("course_type", sa.String(32), primary_key=True),
        sa.Column("seats_offered", sa.Integer, nullable=False),
        sa.Column("seats_taken", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("capacity_reported")
    with op.batch_alter_table("waiting_people") as table:
        table.drop_column("unmet_reported_month")
