"""Test helpers for progress: courses and placements announced over the real broker (as
assignment would), and a running progress service that has received them."""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Collection
from datetime import timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from ankommen.progress.service import catalogue
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import (
    Course,
    CourseApproval,
    CoursePublished,
    CourseStatus,
    PlacementConfirmed,
    PlacementOffered,
    PlacementWithdrawn,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent
from ankommen.shared.identity.auth import Role
from tests.support.county_day import county_today
from tests.support.event_examples import owners_source
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token

TODAY = county_today()
STARTS_ON = TODAY - timedelta(days=90)
ENDS_ON = TODAY + timedelta(days=90)


def course(provider_id: str, course_id: str | None = None) -> Course:
    return Course(course_id=course_id or f"course-{uuid.uuid4().hex[:8]}",
                  provider_id=provider_id, title="Integrationskurs Soltau",
                  course_type="general_integration", entry_level="A1", target_level="B1",
                  region_key="03358021", mode="in_person", schedule=["mornings"],
                  starts_on=STARTS_ON, ends_on=ENDS_ON, hours=700, capacity=25,
                  minimum_participants=5, status=CourseStatus.RUNNING,
                  approval=CourseApproval.APPROVED)


def referral_code() -> str:
    return "REF-" + secrets.token_hex(4).upper()


async def produce(bootstrap: str, topic: str, messages: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        batch = [await producer.send(topic, value, key=key.encode()) for key, value in messages]
        for sent in batch:
            await sent
    finally:
        await producer.stop()


async def announce(bootstrap: str, events: list[tuple[str, EventData]],
                   source: str | None = None) -> None:
    """Put ``events`` on their topics as their owners' relays do (``source``: the owner's
    unless given)."""
    by_topic: dict[str, list[tuple[str, bytes]]] = {}
    for key, data in events:
        body = registry.envelope(data, source=source or owners_source(data)).to_bytes()
        by_topic.setdefault(data.topic, []).append((key, body))
    for topic, messages in by_topic.items():
        await produce(bootstrap, topic, messages)


async def wait_for_participants(service: RunningService, provider_id: str, count: int) -> None:
    async def participants() -> int:
        response = await service.client.get("/participants",
                                            headers=token(Role.PROVIDER, provider_id))
        if response.status_code != 200:
            return -1
        # A placement may arrive before its course (another topic): wait for both.
        return sum(1 for participant in response.json() if participant["course_title"])

    await eventually(participants, until=lambda found: found >= count, timeout=60,
                     what=f"{count} placements of {provider_id} with their course known")


async def wait_for_confirmed(service: RunningService, provider_id: str, code: str) -> None:
    """Until progress knows the placement ``code`` as confirmed (assignment's event may come
    after the offer): a provider enrols only confirmed placements."""
    async def state() -> str | None:
        response = await service.client.get("/participants",
                                            headers=token(Role.PROVIDER, provider_id))
        return next((item["state"] for item in response.json()
                     if item["referral_code"] == code), None)

    await eventually(state, until=lambda found: found == "confirmed", timeout=60,
                     what=f"progress knows placement {code} as confirmed")


def catalogue_events(provider_id: str, codes: list[str], *, unconfirmed: Collection[str] = ()
                     ) -> tuple[list[tuple[str, EventData]], dict[str, str]]:
    """A running course of ``provider_id`` with a placement per code, as assignment's events
    (key, data); and each code's pseudonym. Each placement is offered and confirmed (a
    provider enrols only confirmed placements), except those in ``unconfirmed``."""
    published = course(provider_id)
    pseudonyms = {code: secrets.token_urlsafe(24) for code in codes}
    events: list[tuple[str, EventData]] = [(published.course_id,
                                            CoursePublished(course=published))]
    for code in codes:
        placement = {"placement_id": uuid.uuid4().hex, "pseudonym": pseudonyms[code],
                     "referral_code": code, "course_id": published.course_id,
                     "provider_id": provider_id}
        events.append((pseudonyms[code], PlacementOffered(**placement, offered_on=STARTS_ON)))
        if code not in unconfirmed:
            events.append((pseudonyms[code], PlacementConfirmed(**placement)))
    return events, pseudonyms


async def record_directly(service: RunningService, events: list[tuple[str, EventData]]
                          ) -> None:
    """Run progress's own catalogue handlers on ``events`` (a shortcut past the broker for
    tests whose subject is reporting; consumption itself is tested over the broker)."""
    handlers = {CoursePublished: catalogue.record_course,
                PlacementOffered: catalogue.record_placement,
                PlacementConfirmed: catalogue.record_placement,
                PlacementWithdrawn: catalogue.record_placement}
    async with service.runtime.uow() as uow:
        for _, data in events:
            envelope = registry.envelope(data, source="/ankommen/assignment")
            await handlers[type(data)](uow, DecodedEvent(envelope=envelope, data=data))
        await uow.commit()


@contextlib.asynccontextmanager
async def progress_with_placements(kafka, databases, provider_codes: dict[str, list[str]],  # noqa: ANN001
                                   *, unconfirmed: Collection[str] = (), **settings: object
                                   ) -> AsyncIterator[tuple[RunningService, dict[str, str]]]:
    """Progress running (real broker and database, ``settings`` besides) with a course and
    placements per provider recorded by its own catalogue handlers: confirmed, except the
    codes in ``unconfirmed`` (offered only)."""
    async with in_process("progress", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("progress"),
                          **settings) as service:
        pseudonyms: dict[str, str] = {}
        for provider_id, codes in provider_codes.items():
            events, placed = catalogue_events(provider_id, codes, unconfirmed=unconfirmed)
            await record_directly(service, events)
            pseudonyms.update(placed)
        yield service, pseudonyms


def provider_message(provider_id: str, report: dict) -> dict:
    """A CloudEvents envelope as documented in docs/progress.md, written by hand."""
    return {"specversion": "1.0", "id": str(uuid.uuid4()),
            "type": "ankommen.provider.report_submitted.v1",
            "source": f"/providers/{provider_id}", "time": "2026-11-20T10:00:00Z",
            "datacontenttype": "application/json", "data": {"report": report}}


def day(offset: int) -> str:
    """A date ``offset`` days after the course start, as ISO text."""
    return (STARTS_ON + timedelta(days=offset)).isoformat()


def envelope_of(record) -> dict:  # noqa: ANN001 - an aiokafka ConsumerRecord
    return {**json.loads(record.value), "_key": record.key.decode()}


def raw_record(record) -> dict:  # noqa: ANN001 - an aiokafka ConsumerRecord
    """A record that need not be JSON (dead letters): its body and headers."""
    return {"value": record.value, "headers": {name: value.decode()
                                               for name, value in record.headers}}


async def read_topic(bootstrap: str, topic: str, until: Callable[[list], bool],
                     deadline: float = 30.0,
                     decode: Callable[[object], dict] = envelope_of) -> list[dict]:
    """The decoded envelopes on ``topic`` once ``until`` holds for them. Every partition is
    read from the beginning without a consumer group, which spares a group join per read."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        envelopes: list[dict] = []

        async def more() -> list[dict]:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                envelopes.extend(decode(record) for record in records)
            return envelopes

        return await eventually(more, until=until, timeout=deadline,
                                what=f"expected messages on {topic}")
    finally:
        await consumer.stop()
