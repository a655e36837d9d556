"""Intake's privacy promises across the whole system, over the real broker:

- after an erasure the identity cannot be decrypted, search finds nothing, and neither
  assignment nor progress holds a row with the pseudonym;
- a seeded name and birth date appear in no Kafka message, no log record, no span attribute
  and no database other than intake's (where they are encrypted).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from ankommen.intake.adapters.crypto import UndecryptableIdentity
from ankommen.intake.adapters.tables import identities
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.auth import Role
from ankommen.shared.topics import TOPICS
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.surveys import identity, registration

SERVICES = ("intake", "assignment", "progress", "monitoring")
STAFF = token(Role.INTAKE_STAFF)
FAMILY, GIVEN, BORN = "Ghebremeskel", "Yordanos", "1993-02-17"
SEEDS = (FAMILY, GIVEN, BORN, "17.02.1993", "19930217")
MESSAGING_TABLES = {"outbox", "inbox"}


async def rows_of(service, name: str, *, operational_only: bool = False  # noqa: ANN001
                  ) -> list[str]:
    """Every row of the service's tables; ``operational_only`` leaves out the outbox and
    inbox (intake's own outbox still holds the CaseErased event, which names the pseudonym)."""
    metadata = importlib.import_module(f"ankommen.{name}.adapters.tables").metadata
    async with service.runtime.sessions() as session:
        return [f"{table.name}: {tuple(row)!r}" for table in metadata.sorted_tables
                if not (operational_only and table.name in MESSAGING_TABLES)
                for row in (await session.execute(select(table))).all()]


async def holds(service, name: str, text: str, *,  # noqa: ANN001
                operational_only: bool = True) -> bool:
    return any(text in row for row in await rows_of(service, name,
                                                    operational_only=operational_only))


async def all_messages(bootstrap: str) -> list[bytes]:
    """Every message on every topic (and dead-letter topic), key, value and headers."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        names = [name for topic in TOPICS for name in (topic.name, topic.dead_letter)]
        existing = await consumer.topics()
        partitions = [TopicPartition(name, partition) for name in names if name in existing
                      for partition in consumer.partitions_for_topic(name) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        messages: list[bytes] = []
        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])

        while await behind():
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    messages.append((record.key or b"") + (record.value or b"") + b"".join(
                        value for _, value in record.headers or ()))
        return messages
    finally:
        await consumer.stop()


@pytest.mark.slow
async def test_erasure_reaches_every_service_and_identity_leaks_nowhere(
        kafka, databases, caplog):
    caplog.set_level(logging.DEBUG)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with contextlib.AsyncExitStack() as stack:
        system = {name: await stack.enter_async_context(in_process(
            name, bootstrap=kafka.bootstrap_servers, database_url=await databases.url(name),
            tracer_provider=provider)) for name in SERVICES}
        intake = system["intake"]
        person = identity(family_name=FAMILY, given_names=GIVEN, birth_date=BORN)
        response = await intake.client.post("/cases", json=registration(person=person),
                                            headers=STAFF)
        assert response.status_code == 201, response.text
        case_id, pseudonym = response.json()["case_id"], response.json()["pseudonym"]
        await intake.client.get(f"/cases/{case_id}", params={"purpose": "counselling"},
                                headers=STAFF)
        for name in ("assignment", "progress"):
            await eventually(lambda name=name: holds(system[name], name, pseudonym),
                             timeout=60, what=f"{name} knows the case")

        async with intake.runtime.sessions() as session:  # as a backup would hold it
            backup = await session.scalar(select(identities.c.ciphertext))
        erased = await intake.client.delete(f"/cases/{case_id}", headers=STAFF)
        assert erased.status_code == 204
        for name in ("assignment", "progress"):
            # Their outboxes too: published events of the erased case are forgotten.
            await eventually(lambda name=name: holds(system[name], name, pseudonym,
                                                     operational_only=False),
                             until=lambda held: not held, timeout=60,
                             what=f"{name} deleted every row of the pseudonym")
        assert not await holds(intake, "intake", pseudonym)
        with pytest.raises(UndecryptableIdentity):
            IdentityProtection.from_settings(intake.runtime.settings).vault.open(
                uuid.UUID(case_id), None, backup)
        search = await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": FAMILY, "given_names": GIVEN, "birth_date": BORN})
        assert search.json()["matches"] == []

        messages = await all_messages(kafka.bootstrap_servers)
        stored = {name: await rows_of(system[name], name)
                  for name in ("assignment", "progress", "monitoring")}

    assert any(pseudonym.encode() in message for message in messages)
    spans = exporter.get_finished_spans()
    assert spans and caplog.records
    span_text = "\n".join(f"{span.name} {dict(span.attributes or {})} "
                          f"{[dict(event.attributes or {}) for event in span.events]}"
                          for span in spans)
    log_text = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for seed in SEEDS:
        assert not any(seed.encode() in message for message in messages), f"{seed}: Kafka"
        assert seed not in span_text, f"{seed} in a span"
        assert seed not in log_text, f"{seed} in the logs"
        for name, rows in stored.items():
            assert not any(seed in row for row in rows), f"{seed} in {name}'s database"
