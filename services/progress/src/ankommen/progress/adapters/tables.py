"""Progress's tables. The outbox and inbox come from the shared messaging library."""

from sqlalchemy import Column, Date, MetaData, String, Table

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

known_cases = Table(
    "known_cases", metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("registered_on", Date, nullable=False),
)

messaging = messaging_tables(metadata)
