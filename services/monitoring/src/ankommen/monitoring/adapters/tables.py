"""Monitoring's tables: anonymous aggregates only, rebuildable from the facts topic.

``cells`` holds one row per measure × month × district × dimension values with the count and
the record-key sum of the Cell Key Method; ``cell_values`` the multiset of values (whole
weeks) of distribution measures; ``snapshots`` the last snapshot per cell of snapshot measures
(capacity); ``fact_intake`` what was processed per fact type (for operators and data
freshness). No table has a column that could hold a pseudonym or a record key. The inbox comes
from the shared library (monitoring publishes nothing, so its outbox stays empty).
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
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

#: The snapshot that counts per cell: the one published last (``rank``, a part of its record
#: key, breaks ties); ``key`` is its part of the Cell Key Method, ``counts`` its named counts
#: in canonical text (``offered=20|taken=12``).
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
    PrimaryKeyConstraint("measure", "month", "district", "dimensions", name="pk_snapshots"),
)

fact_intake = Table(
    "fact_intake", metadata,
    Column("fact_type", String(200), nullable=False),
    Column("applied", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    Column("unused", Integer, nullable=False),
    Column("last_published_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("fact_type", name="pk_fact_intake"),
)

#: The aggregate tables, in the order a canonical digest reads them.
AGGREGATES = (cells, cell_values, snapshots, fact_intake)

messaging = messaging_tables(metadata)
