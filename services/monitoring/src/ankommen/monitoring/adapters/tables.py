"""Monitoring's tables: anonymous aggregates, and the facts they were built from.

``cells`` holds one row per measure × month × district × dimension values with the count and
the record-key sum of the Cell Key Method; ``cell_values`` the multiset of values (whole
weeks) of distribution measures; ``snapshots`` the last snapshot per cell of snapshot measures
(capacity); ``fact_intake`` what was processed per fact type (for operators and data
freshness). No aggregate has a column that could hold a pseudonym or a record key.

``fact_archive`` keeps every fact applied, as applied (the envelope in canonical JSON, record
key included, as on the facts topic: de-identified, never a pseudonym), so that a rebuild does
not depend on what the broker still holds; ``fact_history`` is the ledger of what the archive
should hold (see :mod:`domain.history`). Neither is read by any public page or API (the
admin's review list shows a held fact's attributes from the archive). The archive row is also
the facts consumer's record of what it processed (``processed``): the shared inbox holds only
facts processed before the archive existed. Inbox and outbox come from the shared library
(monitoring publishes nothing, so its outbox stays empty).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    true,
)

from ankommen.shared.messaging.tables import messaging_tables

metadata = MetaData()

cells = Table(
    "cells", metadata,
    Column("measure", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("district", String(5), nullable=False),
    Column("dimensions", String(200), nullable=False),
    Column("n", Integer, nullable=False),
    Column("key_sum", BigInteger, nullable=False),
    PrimaryKeyConstraint("measure", "month", "district", "dimensions", name="pk_cells"),
)

cell_values = Table(
    "cell_values", metadata,
    Column("measure", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("district", String(5), nullable=False),
    Column("dimensions", String(200), nullable=False),
    Column("value", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("measure", "month", "district", "dimensions", "value",
                         name="pk_cell_values"),
)

#: The snapshot that counts per cell: the one published last — by its producer's ``sequence``
#: (NULL for a snapshot from before sequences: before every one with a sequence), then by
#: ``published_at``, then ``rank`` (a part of its record key); ``key`` is its part of the Cell
#: Key Method, ``counts`` its named counts in canonical text (``offered=20|taken=12``).
snapshots = Table(
    "snapshots", metadata,
    Column("measure", String(40), nullable=False),
    Column("month", String(7), nullable=False),
    Column("district", String(5), nullable=False),
    Column("dimensions", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("rank", BigInteger, nullable=False),
    Column("key", BigInteger, nullable=False),
    Column("counts", String(200), nullable=False),
    Column("sequence", BigInteger, nullable=True),
    PrimaryKeyConstraint("measure", "month", "district", "dimensions", name="pk_snapshots"),
)

fact_intake = Table(
    "fact_intake", metadata,
    Column("fact_type", String(200), nullable=False),
    Column("applied", Integer, nullable=False),
    #: Held for review (out of bounds, a closed month included: :mod:`domain.bounds`).
    Column("held", Integer, nullable=False),
    Column("unused", Integer, nullable=False),
    #: The newest publication time of the facts taken in (not held); none while every fact
    #: of the type was held.
    Column("last_published_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("fact_type", name="pk_fact_intake"),
)

#: Every fact applied, once, in canonical form (:class:`domain.history.ArchivedFact`); only
#: ever added to — no rebuild deletes from it.
fact_archive = Table(
    "fact_archive", metadata,
    Column("event_id", String(64), nullable=False),
    Column("fact_type", String(200), nullable=False),
    Column("checksum", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
    #: When the live consumer received the fact — the "now" its bounds were judged by, and
    #: will be again by every rebuild (none: archived before revision 0006, judged by its
    #: publication time as it was then).
    Column("received_at", DateTime(timezone=True), nullable=True),
    #: Whether the aggregates count the fact now (applied, held or unused): the archive row is
    #: the facts consumer's record of what it processed (revision 0008; no inbox row). False:
    #: archived, but left out by a rebuild that accepted a loss.
    Column("processed", Boolean, nullable=False, server_default=true()),
    PrimaryKeyConstraint("event_id", name="pk_fact_archive"),
)

#: The ledger of the archive per topic: how many facts it should hold, and their checksum sum.
fact_history = Table(
    "fact_history", metadata,
    Column("topic", String(200), nullable=False),
    Column("facts", Integer, nullable=False),
    Column("checksum", BigInteger, nullable=False),
    PrimaryKeyConstraint("topic", name="pk_fact_history"),
)

#: The review list: every fact held instead of counted, and why (:mod:`domain.bounds`).
#: Derived from the archive like the aggregates (a rebuild rewrites it); whether an admin
#: applied or discarded an entry is in ``review_decisions``. Facts carry no personal data.
fact_review = Table(
    "fact_review", metadata,
    Column("event_id", String(64), nullable=False),
    Column("fact_type", String(200), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("month", String(7), nullable=True),
    Column("district", String(5), nullable=True),
    PrimaryKeyConstraint("event_id", name="pk_fact_review"),
)

#: The correction log: an admin's decision on a review entry — ``applied`` (the fact counts,
#: a correction of its month) or ``discarded`` — who, when, for which month. Only ever added
#: to; a rebuild reads it to apply the same corrections again.
review_decisions = Table(
    "review_decisions", metadata,
    Column("event_id", String(64), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("month", String(7), nullable=True),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("event_id", name="pk_review_decisions"),
)

#: The tables a rebuild recomputes, in the order a canonical digest reads them.
AGGREGATES = (cells, cell_values, snapshots, fact_intake, fact_review)

messaging = messaging_tables(metadata)
