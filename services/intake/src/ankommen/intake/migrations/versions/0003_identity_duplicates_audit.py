"""Encrypted identities, wrapped data keys, blind indexes, duplicate suspicions, the audit
log, and the closure of a case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("closure_reason", sa.String(32), nullable=True))
    op.create_table(
        "identities",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "data_keys",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_data_keys_master_key_id", "data_keys", ["master_key_id"])
    op.create_table(
        "blind_indexes",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
    )
    op.create_index("ix_blind_indexes_digest", "blind_indexes", ["digest"])
    op.create_table(
        "duplicate_suspicions",
        sa.Column("suspicion_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("other_case_id", sa.Uuid, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_duplicate_suspicions_case_id", "duplicate_suspicions", ["case_id"])
    op.create_index("ix_duplicate_suspicions_other_case_id", "duplicate_suspicions",
                    ["other_case_id"])
    op.create_table(
        "audit_log",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Uuid, nullable=True),
        sa.Column("purpose", sa.String(32), nullable=True),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("duplicate_suspicions")
    op.drop_table("blind_indexes")
    op.drop_table("data_keys")
    op.drop_table("identities")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("closure_reason")
        batch.drop_column("closed_on")
