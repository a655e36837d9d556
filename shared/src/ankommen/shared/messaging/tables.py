"""The outbox and inbox tables that every service has in its own database.

Outbox (Debezium shape): one row per event, written in the same transaction as the state change
it announces; the relay publishes rows in id order and stamps ``published_at``.
A row that can never be sent (too large for the broker, say) is *parked*: ``parked_at`` and
``park_reason`` say when and why, the relay passes over it, and an operator sees it
(``ankommen-<service> outbox parked``, ``/readyz``).
Inbox: one row per (consumer, event id) processed, written in the handler's transaction, so a
redelivered event is recognised and skipped.

These definitions are the code's view of the tables. Migrations never import them: each
revision writes out the DDL it creates (a revision is frozen; see
``tests/shared/unit/test_frozen_migrations.py``), and a change here needs a new revision in
every service.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.schema import SchemaItem

#: SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
OutboxId = BigInteger().with_variant(Integer(), "sqlite")


def _outbox_columns() -> list[SchemaItem]:
    return [
        Column("id", OutboxId, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("aggregate_type", String(64), nullable=False),
        Column("aggregate_id", String(128), nullable=False),
        Column("type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", Text, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", String(500), nullable=True),
        Column("parked_at", DateTime(timezone=True), nullable=True),
        Column("park_reason", String(500), nullable=True),
    ]


def _inbox_columns() -> list[SchemaItem]:
    return [
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    ]


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Add the outbox and inbox to a service's metadata."""
    outbox = Table("outbox", metadata, *_outbox_columns())
    Index("ix_outbox_pending", outbox.c.published_at, outbox.c.id)
    inbox = Table("inbox", metadata, *_inbox_columns())
    return MessagingTables(outbox=outbox, inbox=inbox)
