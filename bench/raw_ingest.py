"""B2's baseline: the least a consumer of the provider's topic must do with the same reports —
consume them (aiokafka, partitions assigned directly), decode each (``json.loads``) and insert
them all with one bulk insert (an ``executemany`` in one transaction, no COPY) into a plain
table of the same kind of database, through the same engine factory as the services.

Issue 21 asked for this instead of a bare produce loop, which measured the broker's intake
and nothing a consumer does: progress's ingest (validation against the placement and the
participation's state, the report and outbox rows, publishing) is then compared with a
consumer that does the same I/O and none of the checks."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Column, MetaData, String, Table, Text, insert

from ankommen.shared.db.engine import create_engine

METADATA = MetaData()
RAW_REPORTS = Table("raw_reports", METADATA,
                    Column("report_id", String(64), primary_key=True),
                    Column("referral_code", String(32), nullable=False),
                    Column("kind", String(32), nullable=False),
                    Column("body", Text, nullable=False))


@dataclass(frozen=True)
class RawIngest:
    reports: int
    #: From the first fetch until the bulk insert is committed.
    seconds: float
    consume_seconds: float
    insert_seconds: float

    @property
    def rate(self) -> float:
        return self.reports / self.seconds


async def end_offsets(bootstrap: str, topic: str, partitions: int) -> dict[int, int]:
    """Where the next message of each partition will go: the baseline reads from there."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        found = await consumer.end_offsets([TopicPartition(topic, number)
                                            for number in range(partitions)])
        return {partition.partition: offset for partition, offset in found.items()}
    finally:
        await consumer.stop()


def row(value: bytes) -> dict[str, str]:
    """One report as the plain table keeps it: decoded once, its keys as columns."""
    report = json.loads(value)["data"]["report"]
    return {"report_id": report["report_id"], "referral_code": report["referral_code"],
            "kind": report["kind"], "body": value.decode()}


async def raw_ingest(bootstrap: str, topic: str, start: dict[int, int], expected: int,
                     database_url: str) -> RawIngest:
    """Consume ``expected`` messages of ``topic`` from the offsets ``start``, decode them and
    insert them in one transaction into a fresh ``raw_reports`` table of ``database_url``."""
    engine = create_engine(database_url)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        async with engine.begin() as connection:  # the table exists before the clock starts
            await connection.run_sync(METADATA.create_all)
        await consumer.start()
        partitions = [TopicPartition(topic, number) for number in start]
        consumer.assign(partitions)
        for partition in partitions:
            consumer.seek(partition, start[partition.partition])
        started = time.perf_counter()
        rows: list[dict[str, str]] = []
        while len(rows) < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batches.values():
                rows.extend(row(record.value) for record in records)
        rows = rows[:expected]
        consumed = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(insert(RAW_REPORTS), rows)
        finished = time.perf_counter()
        return RawIngest(len(rows), finished - started, consumed - started, finished - consumed)
    finally:
        await consumer.stop()
        await engine.dispose()
