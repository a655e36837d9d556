"""Reading the facts topic directly: where each partition begins and everything from there
for a rebuild, and the consumer lag.

The rebuild reads without a consumer group (partitions assigned, nothing committed), so it
neither disturbs nor depends on the live consumer's offsets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.topics import Topic


class _Consumer(Protocol):
    """What this module uses of an :class:`AIOKafkaConsumer` (without a deserializer: bodies
    are bytes), typed: aiokafka's own methods carry no annotations."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def assign(self, partitions: list[TopicPartition]) -> None: ...
    async def beginning_offsets(self, partitions: list[TopicPartition]
                                ) -> dict[TopicPartition, int]: ...
    async def end_offsets(self, partitions: list[TopicPartition]
                          ) -> dict[TopicPartition, int]: ...
    async def seek_to_beginning(self, *partitions: TopicPartition) -> bool: ...
    async def getmany(self, *partitions: TopicPartition, timeout_ms: int = 0,
                      max_records: int | None = None
                      ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]: ...
    async def position(self, partition: TopicPartition) -> int: ...
    def highwater(self, partition: TopicPartition) -> int | None: ...


def _consumer(bootstrap_servers: str | KafkaAccess, *, auto_offset_reset: str = "latest"
              ) -> _Consumer:
    """A consumer that commits nothing, seen through :class:`_Consumer`."""
    return AIOKafkaConsumer(**client_options(bootstrap_servers), enable_auto_commit=False,
                            auto_offset_reset=auto_offset_reset)


async def _partitions(admin: AIOKafkaAdminClient, topic: Topic) -> list[TopicPartition]:
    """The topic's partitions, from a metadata request for all topics: a consumer without a
    subscription knows none on Apache Kafka, and asking for one topic by name would create it
    on the embedded broker."""
    numbers = sorted(partition["partition"] for described in await admin.describe_topics()
                     if described["topic"] == topic.name and not described["error_code"]
                     for partition in described["partitions"])
    if not numbers:
        raise LookupError(f"topic {topic.name} does not exist")
    return [TopicPartition(topic.name, number) for number in numbers]


async def _partitions_of(bootstrap_servers: str | KafkaAccess, topic: Topic
                         ) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**client_options(bootstrap_servers))
    await admin.start()
    try:
        return await _partitions(admin, topic)
    finally:
        await admin.close()


#: A read that brings nothing new for this long without reaching the end fails instead of
#: hanging.
STALL_DEADLINE_S = 120.0
#: How long one fetch waits for records.
FETCH_WAIT_MS = 500
#: Records handed on at once: enough to make a batch worth folding, few enough to keep
#: memory flat on a long topic.
BATCH_RECORDS = 5000


def _caught_up(consumer: _Consumer, partition: TopicPartition, position: int,
               reported_end: int) -> bool:
    """Has the read reached the end of ``partition``?

    The high watermark of the latest fetch response is the true end; the end offsets the
    broker reports at the start are only a lower bound: the embedded broker under-reports them
    (it answers 1 for a partition holding several records).
    """
    highwater = consumer.highwater(partition)
    return highwater is not None and position >= max(highwater, reported_end)


@lru_cache(maxsize=4096)
def _stamped_at(timestamp: int | None) -> datetime | None:
    """A record's timestamp (milliseconds since the epoch) as a moment; ``None`` if unset.
    Remembered: facts are stamped with their month's start, so a topic has few."""
    return datetime.fromtimestamp(timestamp / 1000, UTC) if timestamp and timestamp > 0 \
        else None


async def read_from_start(bootstrap_servers: str | KafkaAccess, topic: Topic
                          ) -> AsyncIterator[list[tuple[bytes, datetime | None]]]:
    """Every message on ``topic`` from offset 0 up to its end — its body and the time the
    broker stamped it with — in batches as fetched.

    The end is reached when every partition's position has caught up with the high watermark
    its latest fetch reported — everything published before the read got there.
    """
    consumer = _consumer(bootstrap_servers, auto_offset_reset="earliest")
    partitions = await _partitions_of(bootstrap_servers, topic)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        progress_at = loop.time()
        while True:
            batches = await consumer.getmany(*partitions, timeout_ms=FETCH_WAIT_MS,
                                             max_records=BATCH_RECORDS)
            bodies = [(record.value, _stamped_at(record.timestamp))
                      for records in batches.values() for record in records
                      if record.value is not None]
            if batches:
                progress_at = loop.time()
            if bodies:
                yield bodies
            if all([_caught_up(consumer, tp, await consumer.position(tp), ends[tp])
                    for tp in partitions]):
                return
            if loop.time() - progress_at > STALL_DEADLINE_S:
                raise TimeoutError(f"reading {topic.name} made no progress for "
                                   f"{STALL_DEADLINE_S:.0f} s before reaching its end")
    finally:
        await consumer.stop()


async def first_offsets(bootstrap_servers: str | KafkaAccess, topic: Topic) -> dict[int, int]:
    """The first offset each partition of ``topic`` still holds (its log start offset): above
    0 where the broker deleted messages (retention, ``delete_records``). Raises
    :class:`LookupError` when the topic does not exist."""
    partitions = await _partitions_of(bootstrap_servers, topic)
    consumer = _consumer(bootstrap_servers)
    await consumer.start()
    try:
        offsets = await consumer.beginning_offsets(partitions)
    finally:
        await consumer.stop()
    return {tp.partition: offset for tp, offset in offsets.items()}


@dataclass(frozen=True)
class FactsTopic:
    """The facts topic on a broker, as a rebuild reads it."""

    bootstrap_servers: str | KafkaAccess
    topic: Topic

    @property
    def name(self) -> str:
        return self.topic.name

    async def first_offsets(self) -> dict[int, int]:
        return await first_offsets(self.bootstrap_servers, self.topic)

    def read(self) -> AsyncIterator[list[tuple[bytes, datetime | None]]]:
        return read_from_start(self.bootstrap_servers, self.topic)


#: Tries of a retriable answer (e.g. no group coordinator yet: Kafka creates its offsets topic
#: on the first request for one) before the error stands, a tenth of a second apart.
COORDINATOR_TRIES = 30


async def _committed_offsets(admin: AIOKafkaAdminClient, group_id: str,
                             partitions: list[TopicPartition]
                             ) -> dict[TopicPartition, OffsetAndMetadata]:
    for _ in range(COORDINATOR_TRIES - 1):
        try:
            return await admin.list_consumer_group_offsets(group_id, partitions=partitions)
        except KafkaError as error:
            if not error.retriable:
                raise
            await asyncio.sleep(0.1)
    return await admin.list_consumer_group_offsets(group_id, partitions=partitions)


async def consumer_lag(bootstrap_servers: str | KafkaAccess, topic: Topic,
                       group_id: str) -> int:
    """Messages on ``topic`` that ``group_id`` has not committed yet, over all partitions."""
    consumer = _consumer(bootstrap_servers)
    admin = AIOKafkaAdminClient(**client_options(bootstrap_servers))
    await consumer.start()
    await admin.start()
    try:
        partitions = await _partitions(admin, topic)
        ends = await consumer.end_offsets(partitions)
        committed = await _committed_offsets(admin, group_id, partitions)
        lag = 0
        for tp in partitions:
            metadata = committed.get(tp)
            offset = metadata.offset if metadata is not None and metadata.offset >= 0 else 0
            lag += max(0, ends[tp] - offset)
        return lag
    finally:
        await admin.close()
        await consumer.stop()
