"""The review list: facts out of bounds are held instead of counted; admins' decisions on
them (the correction log); when each archived fact was received.

``fact_intake.late`` becomes ``held`` (a fact for a closed month is now held for review, as
is every fact out of bounds); run ``ankommen-monitoring rebuild`` after upgrading, so that the
facts counted before are judged by the new bounds and the review list holds what they
exclude.

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
    with op.batch_alter_table("fact_intake") as batch:
        batch.alter_column("late", new_column_name="held", existing_type=sa.Integer,
                           existing_nullable=False)
        batch.alter_column("last_published_at", existing_type=sa.DateTime(timezone=True),
                           nullable=True)
    with op.batch_alter_table("fact_archive") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "fact_review",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("fact_type", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("month", sa.String(7), nullable=True),
        sa.Column("district", sa.String(5), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_fact_review"),
    )
    op.create_table(
        "review_decisions",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("month", sa.String(7), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_review_decisions"),
    )


def downgrade() -> None:
    op.drop_table("review_decisions")
    op.drop_table("fact_review")
    with op.batch_alter_table("fact_archive") as batch:
        batch.drop_column("received_at")
    with op.batch_alter_table("fact_intake") as batch:
        batch.alter_column("last_published_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
        batch.alter_column("held", new_column_name="late", existing_type=sa.Integer,
                           existing_nullable=False)
