"""Course approval (*Freigabe*): a course takes placements only once a coordinator approved it,
and every decision is kept in ``course_reviews``.

Courses already in the catalogue become drafts: nobody can tell any more whether a coordinator
or a provider entered them, and a provider's course must not keep placing people unasked. After
the upgrade a coordinator approves the catalogue once (``POST /courses/{id}/approve``).

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
    with op.batch_alter_table("courses") as batch:
        batch.add_column(sa.Column("approval", sa.String(16), nullable=False,
                                   server_default="draft"))
    op.create_table(
        "course_reviews",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
    )
    op.create_index("ix_course_reviews_course_id", "course_reviews", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_course_reviews_course_id", table_name="course_reviews")
    op.drop_table("course_reviews")
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("approval")
