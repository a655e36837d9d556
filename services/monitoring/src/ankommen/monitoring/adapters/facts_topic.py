"""Reading the facts topic directly: from offset 0 for a rebuild, and the consumer lag.

The rebuild reads without a consumer group (partitions assigned, nothing committed), so it
neither disturbs nor depends on the live consumer's offsets.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ankommen.shared.topics import Topic


async def _partitions(consumer: AIOKafkaConsumer, topic: Topic) -> list[TopicPartition]:
    numbers = consumer.partitions_for_topic(topic.name)
    if not numbers:
        await consumer.topics()  # a metadata request fills the cache
        numbers = consumer.partitions_for_topic(topic.name) or set()
    if not numbers:
        raise LookupError(f"topic {topic.name} does not exist")
    return [TopicPartition(topic.name, number) for number in sorted(numbers)]


#: A rebuild that cannot reach the end of the topic in this time fails instead of hanging.
READ_DEADLINE_S = 120.0
#: A fetch that brings nothing for this long, past the end offsets, ends the read.
IDLE_MS = 1000


async def read_from_start(bootstrap_servers: str, topic: Topic) -> list[bytes]:
    """Every message body on ``topic`` from offset 0 up to its end.

    The end is where the broker's end offsets say *and* a fetch comes back empty: the embedded
    broker under-reports end offsets (it answers 1 for a partition holding several records),
    so the offsets alone would stop the read early.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        bodies: list[bytes] = []
        async with asyncio.timeout(READ_DEADLINE_S):
            while True:
                batches = await consumer.getmany(*partitions, timeout_ms=IDLE_MS)
                for records in batches.values():
                    bodies.extend(record.value for record in records
                                  if record.value is not None)
                if not batches and all([await consumer.position(tp) >= ends[tp]
                                        for tp in partitions]):
                    return bodies
    finally:
        await consumer.stop()


async def consumer_lag(bootstrap_servers: str, topic: Topic, group_id: str) -> int:
    """Messages on ``topic`` that ``group_id`` has not committed yet, over all partitions."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    await admin.start()
    try:
        partitions = await _partitions(consumer, topic)
        ends = await consumer.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(group_id, partitions=partitions)
        lag = 0
        for tp in partitions:
            metadata = committed.get(tp)
            offset = metadata.offset if metadata is not None and metadata.offset >= 0 else 0
            lag += max(0, ends[tp] - offset)
        return lag
    finally:
        await admin.close()
        await consumer.stop()
