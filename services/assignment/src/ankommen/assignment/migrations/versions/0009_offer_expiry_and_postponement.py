"""Offers expire and courses short of their minimum are postponed (issue 16).

``courses.offer_response_days`` (the coordinator's deadline for confirming an offer; null: the
service's default) and ``courses.postponed_from`` (the original start of a postponed course);
``placements.expires_on``, nullable: offers made before this version carry none, and the day
turn treats them as offered on their ``offered_on`` with the default deadline.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("courses", sa.Column("offer_response_days", sa.Integer(), nullable=True))
    op.add_column("courses", sa.Column("postponed_from", sa.Date(), nullable=True))
    op.add_column("placements", sa.Column("expires_on", sa.Date(), nullable=True))
    op.create_index("ix_placements_status_expires_on", "placements", ["status", "expires_on"])


def downgrade() -> None:
    op.drop_index("ix_placements_status_expires_on", table_name="placements")
    op.drop_column("placements", "expires_on")
    op.drop_column("courses", "postponed_from")
    op.drop_column("courses", "offer_response_days")
