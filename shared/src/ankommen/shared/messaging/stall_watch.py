"""Restart a consumer whose Kafka client stopped delivering although messages wait for it.

A Kafka consumer client can stop fetching without raising anything after a network partition:
aiokafka's background fetch routine ends silently when one of its tasks is cancelled
(aio-libs/aiokafka#983; quix-streams#1124 reports the same of another client). The service
then stays up and ready while its partitions fill, until someone restarts it. The broker outage
proof saw this once on a busy CI machine: monitoring's facts consumer delivered nothing for
160 s after the broker was reachable again, while assignment and progress caught up.

Neither the client nor the broker reports such a stall, so :class:`StallWatch` looks from
outside: when a consumer has had no delivery for ``stall_after`` seconds, is not in the middle
of one, and the broker says its assigned partitions hold messages beyond the group's committed
offsets (at two checks in a row, so that a consumer only just assigned its partitions has the
time to fetch them), the subscriber is stopped and started again: a fresh client that rejoins
the group and resumes from the committed offsets (nothing is skipped: offsets are committed
only after a message was applied or dead-lettered). Whatever the check cannot find out (broker
unreachable, no assignment: another member holds the partitions) counts as "not stalled": an
outage is the outbox's and the consumer's own business, not a reason to restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiokafka.errors import KafkaError

logger = logging.getLogger(__name__)

#: How long a check of the broker's offsets may take before it counts as "cannot tell".
CHECK_TIMEOUT_S = 10.0


class Watched(Protocol):
    """What the watch needs of a consumer (``EventConsumer`` provides it)."""

    group_id: str

    @property
    def idle_for(self) -> float | None:
        """Seconds since the last delivery ended; ``None`` while one is being handled."""

    def kafka_client(self) -> Any:
        """The running aiokafka consumer, or ``None`` when not started."""

    async def restart(self) -> None:
        """Stop the subscriber and start it again with a fresh client."""


async def messages_waiting(client: Any) -> int:
    """How many messages the broker holds beyond the group's committed offsets on the
    partitions assigned to ``client`` (0 when nothing is assigned)."""
    assigned = list(client.assignment())
    if not assigned:
        return 0
    ends = await client.end_offsets(assigned)
    starts = await client.beginning_offsets(assigned)
    waiting = 0
    for partition in assigned:
        committed = await client.committed(partition)
        start = committed if committed is not None else starts[partition]
        waiting += max(0, ends[partition] - start)
    return waiting


class StallWatch:
    """Checks every ``interval`` seconds whether ``consumer`` is stalled, and restarts it."""

    def __init__(self, consumer: Watched, *, stall_after: float, interval: float,
                 waiting: Callable[[Any], Awaitable[int]] = messages_waiting) -> None:
        self._consumer = consumer
        self._stall_after = stall_after
        self._interval = interval
        self._waiting = waiting
        #: How often the consumer was restarted (for tests and the log).
        self.restarts = 0
        #: Messages were waiting at the last check, with no delivery since.
        self._suspect = False

    async def run(self) -> None:
        """Watch until cancelled; a failing check or restart is logged and tried again."""
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the watch must outlive any single failure
                logger.warning("consumer stall check failed", extra={
                    "group": self._consumer.group_id, "error": type(error).__name__})

    async def check(self) -> bool:
        """Restart the consumer if it is stalled; returns whether it did."""
        idle = self._consumer.idle_for
        client = self._consumer.kafka_client()
        if idle is None or idle < self._stall_after or client is None:
            self._suspect = False
            return False
        try:
            waiting = await asyncio.wait_for(self._waiting(client), CHECK_TIMEOUT_S)
        except (TimeoutError, OSError, LookupError, KafkaError) as error:
            logger.info("consumer stall check could not ask the broker", extra={
                "group": self._consumer.group_id, "error": type(error).__name__})
            return False
        if not waiting:
            self._suspect = False
            return False
        if not self._suspect:
            self._suspect = True  # once more at the next check, before anything drastic
            return False
        self._suspect = False
        logger.error("consumer stalled: messages wait but none was delivered; restarting it",
                     extra={"group": self._consumer.group_id, "waiting": waiting,
                            "idle_s": round(idle, 1)})
        await self._consumer.restart()
        self.restarts += 1
        return True
