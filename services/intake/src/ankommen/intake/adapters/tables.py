"""Intake's tables. The outbox and inbox come from the shared messaging library.

Identity lives apart from the case: ``identities`` holds only ciphertext, ``data_keys`` the
wrapped per-person key (deleting that row is the erasure), ``identity_aliases`` earlier
spellings of the person encrypted under the same data key, ``blind_indexes`` keyed hashes (of
the identity and its aliases) for finding duplicates. No column holds a name, birth date or
contact in plaintext.
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Time,
    Uuid,
    func,
)

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

cases = Table(
    "cases", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("pseudonym", String(64), nullable=False, unique=True),
    Column("survey", JSON, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("closed_on", Date, nullable=True),
    Column("closure_reason", String(32), nullable=True),
)

identities = Table(
    "identities", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
)

data_keys = Table(
    "data_keys", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("master_key_id", String(16), nullable=False, index=True),
    Column("wrapped_key", LargeBinary, nullable=False),
)

blind_indexes = Table(
    "blind_indexes", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("digest", String(64), primary_key=True),
    Index("ix_blind_indexes_digest", "digest"),
)

#: Earlier spellings of a case's person (see :class:`~..domain.identity.Alias`), numbered
#: per case in the order they were kept; ciphertext under the case's data key, so erasure
#: (deleting the data key) shreds them with the identity.
identity_aliases = Table(
    "identity_aliases", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

duplicate_suspicions = Table(
    "duplicate_suspicions", metadata,
    Column("suspicion_id", Uuid, primary_key=True),
    Column("case_id", Uuid, nullable=False, index=True),
    Column("other_case_id", Uuid, nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("case_id", Uuid, nullable=True, index=True),
    Column("purpose", String(32), nullable=True),
    #: For a disclosure: the provider who received the data, and which fields (names only,
    #: never values).
    Column("recipient", String(40), nullable=True),
    Column("disclosed", String(100), nullable=True),
    #: Who, when signed in through the county's identity provider: the person's name as the
    #: provider gives it and the provider's issuer (``actor`` is then its ``sub``).
    Column("actor_name", String(200), nullable=True),
    Column("actor_issuer", String(300), nullable=True),
)

#: Placements of intake's cases as assignment and progress announced them: which provider
#: has a *confirmed* placement for which pseudonym — the only provider intake may disclose
#: contact details to. Ended placements stay (status) so that a late confirmation announced
#: on another topic cannot reopen them.
provider_placements = Table(
    "provider_placements", metadata,
    Column("referral_code", String(20), primary_key=True),
    Column("pseudonym", String(64), nullable=False, index=True),
    Column("provider_id", String(40), nullable=False, index=True),
    Column("course_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

#: The courses of assignment's catalogue, as far as a disclosure and the invitation letter
#: need them: whose, where, when, whether they still run and whether a coordinator approved
#: them; title, venue, times and contact for the letter. No personal data.
courses = Table(
    "courses", metadata,
    Column("course_id", String(64), primary_key=True),
    Column("provider_id", String(40), nullable=False),
    Column("region_key", String(8), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    # What the person's invitation letter prints (the provider's business data, never a
    # person's): null for courses announced before the letter existed, or left out.
    Column("title", String(200), nullable=True),
    Column("provider_name", String(120), nullable=True),
    #: The contract's ``Venue`` and ``CourseContact`` as JSON, read and written as a whole.
    Column("venue", JSON, nullable=True),
    Column("daily_start", Time, nullable=True),
    Column("daily_end", Time, nullable=True),
    Column("contact", JSON, nullable=True),
    Column("what_to_bring", String(300), nullable=True),
)

messaging = messaging_tables(metadata)
