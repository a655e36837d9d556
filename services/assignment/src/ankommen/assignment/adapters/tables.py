"""Assignment's tables. The outbox and inbox come from the shared messaging library."""

from sqlalchemy import Column, Date, MetaData, String, Table

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

waiting_people = Table(
    "waiting_people", metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("region_key", String(8), nullable=False),
    Column("german_level", String(2), nullable=False),
    Column("waiting_since", Date, nullable=False),
)

messaging = messaging_tables(metadata)
