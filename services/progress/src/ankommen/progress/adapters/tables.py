"""Progress's tables. The outbox, inbox and parked events come from the shared
messaging library.

Courses and placements are progress's own copies of what assignment announced; ``reports``
is the append-only history of what providers reported (corrections and retractions are new
rows that reference the original, so nothing is ever overwritten).
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ankommen.shared.messaging.parking import parked_events_table
from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

known_cases = Table(
    "known_cases", metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("registered_on", Date, nullable=False),
    #: The latest German level known here (at intake, then as reported by providers): only
    #: for ``level_at_start`` of the anonymous course-outcome facts.
    Column("german_level", String(2), nullable=True),
)

courses = Table(
    "courses", metadata,
    Column("course_id", String(64), primary_key=True),
    Column("provider_id", String(40), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("course_type", String(40), nullable=False),
    Column("region_key", String(8), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("hours", Integer, nullable=False),
    Column("status", String(20), nullable=False),
)

placements = Table(
    "placements", metadata,
    Column("referral_code", String(20), primary_key=True),
    Column("placement_id", String(64), nullable=False),
    Column("pseudonym", String(64), nullable=False, index=True),
    Column("course_id", String(64), nullable=False, index=True),
    Column("provider_id", String(40), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    #: The participant's German level when the placement was offered.
    Column("level_at_start", String(2), nullable=True),
)

reports = Table(
    "reports", metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=True),
    Column("provider_id", String(40), nullable=False),
    Column("report_id", String(64), nullable=False),
    Column("referral_code", String(20), nullable=False, index=True),
    Column("pseudonym", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("corrects_report_id", String(64), nullable=True),
    Column("body", Text, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

#: A report id is unique per provider. The report id leads: the idempotency check looks up a
#: whole batch of ids of one provider (``report_id = ANY(…) AND provider_id = …``), and with
#: the provider first PostgreSQL's generic plan probed the index by provider only and filtered
#: every report of that provider (the plan trap of issue 21, migration 0007).
Index("uq_reports_report_provider", reports.c.report_id, reports.c.provider_id, unique=True)

Index("ix_reports_referral_sequence", reports.c.referral_code, reports.c.sequence)

#: Reports a provider sent that were refused (any channel), so that its staff can see what
#: to send again: the report's id, referral code and kind and why — never the report's body
#: (no names travel in reports; the body is not needed to say what was wrong). Kept for
#: ``refused_report_retention_days``, then purged by the clock.
refused_reports = Table(
    "refused_reports", metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("provider_id", String(40), nullable=False),
    Column("refused_at", DateTime(timezone=True), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("report_id", String(64), nullable=True),
    Column("referral_code", String(64), nullable=True),
    Column("kind", String(20), nullable=True),
    #: [{"field", "reason", "text", "values"}]: the English reason and the pages' text key.
    Column("problems", Text, nullable=False),
)

Index("ix_refused_reports_provider_refused_at", refused_reports.c.provider_id,
      refused_reports.c.refused_at)

#: Case events that arrived before the case itself (see ankommen.shared.messaging.parking).
parked_events = parked_events_table(metadata)

messaging = messaging_tables(metadata)
