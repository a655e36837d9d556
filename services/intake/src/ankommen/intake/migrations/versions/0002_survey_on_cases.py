"""Cases keep the whole pseudonymous survey instead of two of its answers.

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
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("region_key")
        batch.drop_column("german_level")
        batch.add_column(sa.Column("survey", sa.JSON, nullable=False,
                                   server_default=sa.text("'{}'")))
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("survey", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("survey")
        batch.add_column(sa.Column("region_key", sa.String(8), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("german_level", sa.String(2), nullable=False,
                                   server_default="A0"))
