"""Assignment's tables. The outbox, inbox and parked events come from the shared
messaging library."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)

from ankommen.shared.messaging.parking import parked_events_table
from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

#: The waiting list (*Warteliste*): one row per person currently waiting for a seat.
waiting_people = Table(
    "waiting_people", metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("region_key", String(8), nullable=False),
    Column("german_level", String(2), nullable=False),
    Column("waiting_since", Date, nullable=False),
    Column("reason", String(32), nullable=True),
    Column("wanted_course_type", String(32), nullable=True),
    #: The month (YYYY-MM) this wait was last reported to monitoring as unmet demand.
    Column("unmet_reported_month", String(7), nullable=True),
)

#: The course catalogue (*Kurskatalog*).
courses = Table(
    "courses", metadata,
    Column("course_id", String(64), primary_key=True),
    Column("provider_id", String(40), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("course_type", String(32), nullable=False),
    Column("entry_level", String(2), nullable=False),
    Column("target_level", String(2), nullable=False),
    Column("region_key", String(8), nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("mode", String(16), nullable=False),
    Column("schedule", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("entry_until", Date, nullable=True),
    #: Days an offer waits for confirmation; null: the service's default.
    Column("offer_response_days", Integer, nullable=True),
    #: The original start of a course postponed for lacking its minimum.
    Column("postponed_from", Date, nullable=True),
    Column("hours", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("minimum_participants", Integer, nullable=False),
    Column("childcare_places", Integer, nullable=False),
    Column("transport_offered", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    #: ``CourseApproval``: only an approved course takes placements.
    Column("approval", String(16), nullable=False, server_default="draft"),
    # What the person's invitation letter prints (intake): optional, as in the event contract.
    Column("provider_name", String(120), nullable=True),
    #: ``Venue`` and ``CourseContact`` as JSON: read and written only as a whole.
    Column("venue", JSON, nullable=True),
    Column("daily_start", Time, nullable=True),
    Column("daily_end", Time, nullable=True),
    Column("contact", JSON, nullable=True),
    Column("what_to_bring", String(300), nullable=True),
    # The day turn's questions (which courses start or end today) read these, not the table.
    Index("ix_courses_status_starts_on", "status", "starts_on"),
    Index("ix_courses_status_ends_on", "status", "ends_on"),
)

#: Every decision on a course's approval, oldest first (the audit trail: who, when, what,
#: and the reason given when a course was returned).
course_reviews = Table(
    "course_reviews", metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("course_id", String(64), nullable=False, index=True),
    Column("decision", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", String(500), nullable=True),
)

#: Every placement a coordinator made by hand, oldest first (the audit trail: who, in which
#: role, when, into which course, and why). Only ever added to; it names the placement, not
#: the person (the placement row, erased with the case, knows whom).
manual_placements = Table(
    "manual_placements", metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("placement_id", String(64), nullable=False, index=True),
    Column("course_id", String(64), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", String(500), nullable=False),
    #: The rules the matcher would have refused the placement for (comma-separated names).
    Column("overridden", String(300), nullable=False, server_default=""),
)

#: Every case assignment knows: the pseudonymous survey, kept for the rules and next steps.
cases = Table(
    "cases", metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("survey", Text, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("previous_provider_id", String(40), nullable=True),
)

#: Placements (*Vermittlungen*) with the explanation of each.
placements = Table(
    "placements", metadata,
    Column("placement_id", String(64), primary_key=True),
    Column("pseudonym", String(64), nullable=False, index=True),
    Column("course_id", String(64), nullable=False, index=True),
    Column("provider_id", String(40), nullable=False),
    Column("referral_code", String(20), nullable=False),
    Column("status", String(16), nullable=False),
    Column("offered_on", Date, nullable=False),
    #: The last day the offer may be confirmed (null: offered before offers expired).
    Column("expires_on", Date, nullable=True),
    Column("waiting_since", Date, nullable=False),
    Column("childcare", Boolean, nullable=False),
    Column("explanation", Text, nullable=False),
    UniqueConstraint("referral_code", name="uq_placements_referral_code"),
    #: The day turn looks for offers past their deadline.
    Index("ix_placements_status_expires_on", "status", "expires_on"),
)

#: The seat figures last reported to monitoring per month, district and course type
#: (``CourseCapacityFact``): a snapshot is published only when they change.
capacity_reported = Table(
    "capacity_reported", metadata,
    Column("month", String(7), primary_key=True),
    Column("district", String(5), primary_key=True),
    Column("course_type", String(32), primary_key=True),
    Column("seats_offered", Integer, nullable=False),
    Column("seats_taken", Integer, nullable=False),
)

#: The last ``sequence`` given to a ``CourseCapacityFact`` per district and course type: it
#: orders monitoring's snapshots, since a fact's time says only its month. Only increases.
capacity_sequence = Table(
    "capacity_sequence", metadata,
    Column("district", String(5), primary_key=True),
    Column("course_type", String(32), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
)

#: One row; every allocation updates it first, so allocations run one at a time.
allocation_lock = Table(
    "allocation_lock", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("runs", Integer, nullable=False),
)

#: Case events that arrived before the case itself (see ankommen.shared.messaging.parking).
parked_events = parked_events_table(metadata)

messaging = messaging_tables(metadata)
