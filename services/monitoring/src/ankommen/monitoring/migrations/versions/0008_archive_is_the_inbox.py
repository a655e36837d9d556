"""The facts archive is the facts consumer's record of what it processed (issue 21, item 4).

Every fact the consumer processes is archived in the same transaction, under its event id:
the inbox row it also wrote said nothing more and cost a second insert per fact (a rebuild
wrote 100,000 of them). ``fact_archive.processed`` says whether the aggregates count the fact
now (false: archived, but left out by a rebuild that accepted a loss); the inbox rows of
archived facts go. Inbox rows of facts processed before the archive existed (revision 0004)
stay: they are the only record of those facts until a rebuild from the topic archives them.
Monitoring consumes nothing but facts, so every inbox row is the facts consumer's.

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
    with op.batch_alter_table("fact_archive") as batch:
        batch.add_column(sa.Column("processed", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    op.execute("UPDATE fact_archive SET processed = false "
               "WHERE event_id NOT IN (SELECT event_id FROM inbox)")
    op.execute("DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM fact_archive)")


def downgrade() -> None:
    op.execute("INSERT INTO inbox (consumer, event_id, processed_at) "
               "SELECT 'ankommen.monitoring.facts', event_id, "
               "COALESCE(received_at, CURRENT_TIMESTAMP) FROM fact_archive WHERE processed")
    with op.batch_alter_table("fact_archive") as batch:
        batch.drop_column("processed")
