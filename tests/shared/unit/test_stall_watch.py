"""The stall watch restarts a consumer only when messages wait and none arrive, twice in a row."""

from __future__ import annotations

from aiokafka.errors import KafkaConnectionError

from ankommen.shared.messaging.stall_watch import StallWatch


class FakeConsumer:
    group_id = "ankommen.tests.stall"

    def __init__(self, idle_for: float | None) -> None:
        self.idle_for = idle_for
        self.restarted = 0

    def kafka_client(self) -> object:
        return object()

    async def restart(self) -> None:
        self.restarted += 1
        self.idle_for = 0.0


def waiting(*answers: int | Exception):
    queue = list(answers)

    async def ask(_client: object) -> int:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return ask


async def test_messages_waiting_at_two_checks_without_a_delivery_restart_the_consumer():
    consumer = FakeConsumer(idle_for=120.0)
    watch = StallWatch(consumer, stall_after=60, interval=15, waiting=waiting(5, 5))
    assert not await watch.check()
    assert await watch.check()
    assert (consumer.restarted, watch.restarts) == (1, 1)


async def test_a_delivery_between_the_checks_clears_the_suspicion():
    consumer = FakeConsumer(idle_for=120.0)
    watch = StallWatch(consumer, stall_after=60, interval=15, waiting=waiting(5, 5))
    assert not await watch.check()
    consumer.idle_for = 2.0  # a message arrived
    assert not await watch.check()
    consumer.idle_for = 120.0
    assert not await watch.check()
    assert consumer.restarted == 0


async def test_an_idle_consumer_with_nothing_waiting_is_left_alone():
    consumer = FakeConsumer(idle_for=3600.0)
    watch = StallWatch(consumer, stall_after=60, interval=15, waiting=waiting(0, 0, 0))
    for _ in range(3):
        assert not await watch.check()
    assert consumer.restarted == 0


async def test_a_consumer_handling_a_delivery_or_recently_active_is_not_asked_about():
    for idle in (None, 10.0):
        consumer = FakeConsumer(idle_for=idle)
        watch = StallWatch(consumer, stall_after=60, interval=15, waiting=waiting())
        assert not await watch.check()  # ``waiting`` would fail: it has no answer left
        assert not await watch.check()


async def test_an_unreachable_broker_is_no_reason_to_restart():
    consumer = FakeConsumer(idle_for=120.0)
    watch = StallWatch(consumer, stall_after=60, interval=15, waiting=waiting(
        KafkaConnectionError("down"), KafkaConnectionError("down"), TimeoutError()))
    for _ in range(3):
        assert not await watch.check()
    assert consumer.restarted == 0
