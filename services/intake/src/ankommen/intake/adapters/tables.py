"""Intake's tables. The outbox and inbox come from the shared messaging library."""

from sqlalchemy import JSON, Column, Date, DateTime, MetaData, String, Table, Uuid, func

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

cases = Table(
    "cases", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("pseudonym", String(64), nullable=False, unique=True),
    Column("survey", JSON, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

messaging = messaging_tables(metadata)
