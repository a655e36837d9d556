"""Facts carry no exact time (issue 15).

Capacity snapshots are ordered by their producer's sequence (a fact's time says only its month,
so the publication time can no longer tell which snapshot of a month is last). Stored snapshots
keep a NULL sequence and are replaced by the first snapshot with one; among snapshots without
one, publication time still orders, as before.

The receipt times already archived (``fact_archive.received_at``) and the facts consumer's
inbox times (``inbox.processed_at``, monitoring consumes nothing but facts) are cut to their
day (UTC), as they are kept from now on: the moment would link each fact to its case event.
The bounds judge by the day exactly as by the moment (their boundaries are midnights UTC).

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
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))
    for table, column in (("fact_archive", "received_at"), ("inbox", "processed_at")):
        if op.get_bind().dialect.name == "postgresql":
            day = f"date_trunc('day', {column}, 'UTC')"
        else:  # SQLite keeps UTC times as text, 'YYYY-MM-DD HH:MM:SS.ffffff'
            day = f"substr({column}, 1, 10) || ' 00:00:00.000000'"
        op.execute(f"UPDATE {table} SET {column} = {day} WHERE {column} IS NOT NULL")  # noqa: S608


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("sequence")
