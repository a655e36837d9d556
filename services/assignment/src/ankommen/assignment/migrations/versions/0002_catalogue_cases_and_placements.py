"""Course catalogue, cases with their survey, placements, waiting reasons, allocation lock.

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
    with op.batch_alter_table("waiting_people") as table:
        table.add_column(sa.Column("reason", sa.String(32), nullable=True))
        table.add_column(sa.Column("wanted_course_type", sa.String(32), nullable=True))
    op.create_table(
        "courses",
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("course_type", sa.String(32), nullable=False),
        sa.Column("entry_level", sa.String(2), nullable=False),
        sa.Column("target_level", sa.String(2), nullable=False),
        sa.Column("region_key", sa.String(8), nullable=False),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("hours", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("minimum_participants", sa.Integer, nullable=False),
        sa.Column("childcare_places", sa.Integer, nullable=False),
        sa.Column("transport_offered", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_courses_provider_id", "courses", ["provider_id"])
    op.create_table(
        "cases",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("survey", sa.Text, nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("previous_provider_id", sa.String(40), nullable=True),
    )
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.String(64), primary_key=True),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(40), nullable=False),
        sa.Column("referral_code", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offered_on", sa.Date, nullable=False),
        sa.Column("waiting_since", sa.Date, nullable=False),
        sa.Column("childcare", sa.Boolean, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.UniqueConstraint("referral_code", name="uq_placements_referral_code"),
    )
    op.create_index("ix_placements_pseudonym", "placements", ["pseudonym"])
    op.create_index("ix_placements_course_id", "placements", ["course_id"])
    lock = op.create_table(
        "allocation_lock",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("runs", sa.Integer, nullable=False),
    )
    op.bulk_insert(lock, [{"id": 1, "runs": 0}])


def downgrade() -> None:
    op.drop_table("allocation_lock")
    op.drop_index("ix_placements_course_id", "placements")
    op.drop_index("ix_placements_pseudonym", "placements")
    op.drop_table("placements")
    op.drop_table("cases")
    op.drop_index("ix_courses_provider_id", "courses")
    op.drop_table("courses")
    with op.batch_alter_table("waiting_people") as table:
        table.drop_column("wanted_course_type")
        table.drop_column("reason")
