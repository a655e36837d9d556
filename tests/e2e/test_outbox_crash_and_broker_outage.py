"""Nothing accepted is lost: not when intake is killed between commit and publish, not when the
broker is down. And a re-published event still has exactly one downstream effect."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select, update

from ankommen.shared.db.engine import create_engine
from ankommen.shared.identity.auth import Role
from tests.support.polling import eventually
from tests.support.services import ServiceProcess, in_process, token
from tests.support.surveys import registration


async def waiting_count(assignment) -> int:  # noqa: ANN001
    response = await assignment.client.get("/waiting-list", headers=token(Role.COORDINATOR))
    return response.json()["count"]


async def test_event_committed_before_a_crash_is_delivered_after_restart_once(
        kafka, sqlite_databases, tmp_path):
    from ankommen.intake.adapters.tables import messaging

    intake_db = await sqlite_databases.url("intake")
    environment = {"ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
                   "ANKOMMEN_INTAKE_DATABASE_URL": intake_db,
                   # The crash window, held open: committed, not yet relayed.
                   "ANKOMMEN_INTAKE_OUTBOX_RELAY_ENABLED": "false"}
    intake = ServiceProcess.on_own_port("intake", environment, tmp_path / "intake.log").start()
    outbox = messaging.outbox
    engine = create_engine(intake_db)
    try:
        async with httpx.AsyncClient(base_url=intake.base_url) as client:
            await eventually(lambda: client.get("/readyz"),
                             until=lambda response: response.status_code == 200,
                             timeout=60, what="intake ready")
            response = await client.post("/cases", json=registration(),
                                         headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201
        async with engine.connect() as connection:
            pending = await connection.scalar(select(func.count()).select_from(outbox)
                                              .where(outbox.c.published_at.is_(None)))
        assert pending == 2  # the case event and its one arrival fact, committed, none sent
        intake.kill()

        async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                              database_url=await sqlite_databases.url("assignment")) as assignment:
            intake.environment["ANKOMMEN_INTAKE_OUTBOX_RELAY_ENABLED"] = "true"
            intake.start()

            async def unpublished() -> int:
                async with engine.connect() as connection:
                    return await connection.scalar(select(func.count()).select_from(outbox)
                                                   .where(outbox.c.published_at.is_(None)))

            await eventually(unpublished, until=lambda count: count == 0, timeout=60,
                             what="relay published after restart")
            assert await eventually(lambda: waiting_count(assignment)) == 1

            # A crash after sending but before stamping: the relay sends the rows again.
            async with engine.begin() as connection:
                await connection.execute(update(outbox).values(published_at=None))
            await eventually(unpublished, until=lambda count: count == 0, timeout=60,
                             what="relay re-published")
            inbox = assignment.runtime.definition.tables.inbox

            async def consumer_saw_redelivery() -> bool:
                # The redelivered copy is consumed (offset moves on) without a second effect.
                return await waiting_count(assignment) == 1 and await _lag(assignment) == 0

            await eventually(consumer_saw_redelivery, what="redelivery consumed")
            async with assignment.runtime.sessions() as session:
                assert await session.scalar(select(func.count()).select_from(inbox)) == 1
            assert await waiting_count(assignment) == 1
    finally:
        intake.stop()
        await engine.dispose()


async def _lag(assignment) -> int:  # noqa: ANN001
    """Messages on the cases topic not yet consumed by assignment's group."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import TopicPartition

    from ankommen.shared.messaging.topics import CASES

    consumer = AIOKafkaConsumer(bootstrap_servers=assignment.runtime.settings
                                .kafka_bootstrap_servers, group_id="ankommen.assignment.cases",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(CASES.name, p)
                      for p in consumer.partitions_for_topic(CASES.name) or range(CASES.partitions)]
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for partition in partitions:
            committed = await consumer.committed(partition) or 0
            lag += ends[partition] - committed
        return lag
    finally:
        await consumer.stop()


@pytest.mark.tansu
async def test_registrations_accepted_while_broker_is_down_are_delivered_after(
        kafka, databases):
    async with (
        in_process("intake", bootstrap=kafka.bootstrap_servers,
                   database_url=await databases.url("intake")) as intake,
        in_process("assignment", bootstrap=kafka.bootstrap_servers,
                   database_url=await databases.url("assignment")) as assignment,
    ):
        kafka.stop()
        for _ in range(5):
            response = await intake.client.post("/cases", json=registration(),
                                                headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201
        readiness = await eventually(lambda: intake.client.get("/readyz"),
                                     until=lambda response: not response.json()["connected"],
                                     timeout=20, what="intake shows the broker unavailable")
        # Still ready: the outbox takes the registrations while the broker is away.
        assert readiness.status_code == 200
        assert readiness.json()["components"] == {"database": "ok", "broker": "unavailable"}

        # Same address; the in-memory broker comes back empty, without even the topics. (A
        # produce to a missing topic is acknowledged and lost there, so the relay must check.)
        kafka.start()
        assert await eventually(lambda: waiting_count(assignment),
                                until=lambda count: count == 5, timeout=120,
                                what="all five delivered") == 5
