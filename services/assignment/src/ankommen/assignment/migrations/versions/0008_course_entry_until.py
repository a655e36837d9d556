"""A course's late-entry deadline (issue 16): the last day it takes new participants.

Nullable: courses already in the catalogue have none and take the default (start plus a quarter
of the duration, docs/assignment.md), which is what allocation applies from this version on.

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
    op.add_column("courses", sa.Column("entry_until", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("courses", "entry_until")
