"""The facts archive and its ledger: every fact applied, so that a rebuild does not depend on
the broker's retention.

Both start empty on an existing installation: the facts applied before this revision are
known only by their ids (the inbox). ``ankommen-monitoring rebuild`` reads the facts topic
until the archive holds every fact the aggregates count, and archives what it replays — run it
once after upgrading, while the topic still holds every fact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_archive",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("fact_type", sa.String(200), nullable=False),
        sa.Column("checksum", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_fact_archive"),
    )
    op.create_table(
        "fact_history",
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("facts", sa.Integer, nullable=False),
        sa.Column("checksum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("topic", name="pk_fact_history"),
    )


def downgrade() -> None:
    op.drop_table("fact_history")
    op.drop_table("fact_archive")
