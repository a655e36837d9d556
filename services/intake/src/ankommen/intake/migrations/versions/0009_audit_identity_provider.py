"""Who acted, when signed in through the county's identity provider (issue 20): the audit log
records the person's name as the provider gives it and the provider's issuer next to the
subject. Nullable: earlier entries and tokens of ``ankommen token`` have neither.

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
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("actor_issuer", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("actor_issuer")
        batch.drop_column("actor_name")
