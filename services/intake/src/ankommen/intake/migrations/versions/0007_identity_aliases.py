"""Aliases of an identity: the spelling a case had before staff confirmed "same person" or
merged another case into it, encrypted under the case's data key (issue 17 item 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_aliases",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("identity_aliases")
