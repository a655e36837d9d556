"""Monitoring's tables: anonymous aggregates only. The inbox comes from the shared library
(monitoring publishes nothing, so its outbox stays empty)."""

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, String, Table

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

arrival_counts = Table(
    "arrival_counts", metadata,
    Column("month", String(7), nullable=False),
    Column("district", String(5), nullable=False),
    Column("german_level", String(2), nullable=False),
    Column("arrivals", Integer, nullable=False),
    PrimaryKeyConstraint("month", "district", "german_level", name="pk_arrival_counts"),
)

messaging = messaging_tables(metadata)
