"""What the invitation letter prints of a course (issue 18): title, the provider's name, the
venue, the daily start and end, whom to call and what to bring, as assignment announces them.
All nullable: courses recorded before keep their rows, and the next announcement fills them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courses") as batch:
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))
        batch.add_column(sa.Column("provider_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("venue", sa.JSON, nullable=True))
        batch.add_column(sa.Column("daily_start", sa.Time, nullable=True))
        batch.add_column(sa.Column("daily_end", sa.Time, nullable=True))
        batch.add_column(sa.Column("contact", sa.JSON, nullable=True))
        batch.add_column(sa.Column("what_to_bring", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("courses") as batch:
        for name in ("what_to_bring", "contact", "daily_end", "daily_start", "venue",
                     "provider_name", "title"):
            batch.drop_column(name)
