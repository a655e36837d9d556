"""Batch consumers commit their offsets once per batch, not once per message (issue 21,
item 3): FastStream's batch message (manual acks) commits through aiokafka's ``commit()``
once when the batch is acknowledged, after the batch's transaction; a batch handed back
commits nothing and rewinds each partition to its first record (the "nothing skipped" rule;
the real-broker proofs are ``tests/reliability/test_poison_messages.py`` and
``test_crash_consistency.py``)."""

from __future__ import annotations

from aiokafka.structs import TopicPartition
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.parser import AioKafkaBatchParser
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ankommen.shared.messaging.topics import CASES
from tests.shared.unit.test_consumer_never_skips import FakeDeadLetters, batched, record
from tests.support.event_examples import valid_event


class CountingKafkaConsumer:
    """The aiokafka consumer as FastStream's message uses it: commits and seeks, counted."""

    def __init__(self) -> None:
        self.commits = 0
        self.seeks: list[tuple[TopicPartition, int]] = []

    async def commit(self) -> None:
        self.commits += 1

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))


async def batch_of(count: int, kafka: CountingKafkaConsumer) -> KafkaAckableMessage:
    parser = AioKafkaBatchParser(msg_class=KafkaAckableMessage, regex=None)
    parser._setup(kafka)
    records = tuple(record(valid_event(CASES.name)[0], offset=offset, key=b"k")
                    for offset in range(10, 10 + count))
    return await parser.parse_batch(records)


async def test_a_batch_of_fifty_is_committed_once_after_its_transaction():
    kafka, handled = CountingKafkaConsumer(), []
    consumer = batched(FakeDeadLetters())

    async def one_transaction(deliveries) -> None:  # noqa: ANN001
        assert kafka.commits == 0, "committed before the batch's transaction"
        handled.append(len(deliveries))

    consumer._handle_batch = one_transaction
    await consumer.process_batch(await batch_of(50, kafka))
    assert handled == [50]
    assert kafka.commits == 1
    assert kafka.seeks == []


async def test_a_batch_handed_back_commits_nothing_and_rewinds_to_its_first_record():
    kafka = CountingKafkaConsumer()
    consumer = batched(FakeDeadLetters())

    async def unreachable(deliveries) -> None:  # noqa: ANN001
        raise PoolTimeout("the database is away")

    consumer._handle_batch = unreachable
    await consumer.process_batch(await batch_of(20, kafka))
    assert kafka.commits == 0
    assert kafka.seeks == [(TopicPartition(CASES.name, 2), 10)]
