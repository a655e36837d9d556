"""The unique index of reports leads with the report id (issue 21, the plan trap): the
idempotency check of an upload batch looks up a thousand report ids of one provider, and with
``(provider_id, report_id)`` PostgreSQL's generic plan used only the provider part of the index
and filtered every report of the provider — quadratic uploads. docs/performance.md.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_reports_report_provider", "reports", ["report_id", "provider_id"],
                    unique=True)
    # SQLite cannot drop a constraint in place: batch mode copies the table.
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint("uq_reports_provider_report", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.create_unique_constraint("uq_reports_provider_report",
                                       ["provider_id", "report_id"])
    op.drop_index("uq_reports_report_provider", table_name="reports")
