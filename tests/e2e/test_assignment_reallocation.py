"""Assignment over the real broker: a freed seat goes to the longest-waiting eligible person
within 5 s, and a completed course leads to the next one without a new survey."""

from __future__ import annotations

import time
import uuid

from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from ankommen.assignment.domain.referral import new_referral_code
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.progress import CourseCompleted, CourseDiscontinued
from ankommen.shared.messaging.topics import PARTICIPATION, PLACEMENTS
from tests.assignment.support import COORDINATOR, course_body, register, send, waiting_count
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import in_process

OFFERED = "ankommen.assignment.placement_offered.v1"


class Placements:
    """Reads the placements topic as another service would."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(PLACEMENTS.name, bootstrap_servers=bootstrap,
                                         group_id=uuid.uuid4().hex,
                                         auto_offset_reset="earliest")
        self.seen: list[dict] = []

    async def __aenter__(self) -> Placements:
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def offered(self, event_type: str = OFFERED) -> list[dict]:
        batch = await self.consumer.getmany(timeout_ms=100)
        for records in batch.values():
            self.seen.extend(registry.decode(record.value).envelope.model_dump()
                             for record in records)
        return [event["data"] for event in self.seen if event["type"] == event_type]


async def participation_consumer_joined(bootstrap: str, assignment) -> None:  # noqa: ANN001
    """Wait until assignment consumes the participation topic: its consumer groups join one
    after the other (each join takes seconds on the embedded broker), so "within 5 s of the
    event" is measured from a running consumer, not from the end of a group join. The probe,
    a discontinuation of an unknown referral code, changes nothing."""
    await send(bootstrap, PARTICIPATION.name, CourseDiscontinued(
        pseudonym=uuid.uuid4().hex, referral_code=new_referral_code(), course_id="no-course",
        report_id=uuid.uuid4().hex, discontinued_on=county_today(), reason="moved_away"))
    inbox = assignment.runtime.definition.tables.inbox

    async def consumed() -> int:
        async with assignment.runtime.sessions() as session:
            return await session.scalar(select(func.count()).select_from(inbox).where(
                inbox.c.consumer == assignment.runtime.group_id("participation")))

    await eventually(consumed, timeout=60, what="the participation consumer running")


async def test_freed_seat_goes_to_longest_waiting_eligible_person_within_5_s(kafka, databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await databases.url("assignment")) as assignment, \
            Placements(bootstrap) as placements:
        longest = await register(bootstrap, 90)
        middle = await register(bootstrap, 60)
        newest = await register(bootstrap, 5)
        await register(bootstrap, 120, german_level="C1")  # waits longest, fits nothing
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 4,
                         what="all four cases waiting")

        course_id = f"course-{uuid.uuid4().hex[:8]}"
        created = await assignment.client.post("/courses", json=course_body(
            course_id, capacity=1, minimum_participants=0, childcare_places=1),
            headers=COORDINATOR)
        assert created.status_code == 201, created.text
        first = await eventually(placements.offered, what="the seat offered", timeout=30)
        assert [offer["pseudonym"] for offer in first] == [longest]

        await participation_consumer_joined(bootstrap, assignment)
        freed_at = time.monotonic()
        await send(bootstrap, PARTICIPATION.name, CourseDiscontinued(
            pseudonym=longest, referral_code=first[0]["referral_code"], course_id=course_id,
            report_id=uuid.uuid4().hex, discontinued_on=county_today(), reason="moved_away"))
        offers = await eventually(placements.offered, until=lambda found: len(found) == 2,
                                  timeout=5, what="the freed seat offered again")
        elapsed = time.monotonic() - freed_at
        print(f"\nfreed seat reallocated after {elapsed:.2f} s")
        assert offers[1]["pseudonym"] == middle
        assert newest not in {offer["pseudonym"] for offer in offers}

        declined = await assignment.client.post(
            f"/placements/{offers[1]['placement_id']}/decline", headers=COORDINATOR)
        assert declined.json()["status"] == "declined"
        third = await eventually(placements.offered, until=lambda found: len(found) == 3,
                                 what="the declined seat offered to the next person")
        assert third[2]["pseudonym"] == newest
        explained = (await assignment.client.get(
            f"/placements/{third[2]['placement_id']}", headers=COORDINATOR)).json()
        assert {rule["rule"] for rule in explained["explanation"]["rules"]} >= {
            "course_type", "entry_level", "schedule", "reachable", "capacity"}


async def test_completion_leads_to_the_next_course_without_new_survey(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment")) as assignment, \
            Placements(bootstrap) as placements:
        integration = f"course-{uuid.uuid4().hex[:8]}"
        await assignment.client.post("/courses", json=course_body(integration),
                                     headers=COORDINATOR)
        job = f"course-{uuid.uuid4().hex[:8]}"
        await assignment.client.post("/courses", json=course_body(
            job, course_type="job_related_b2", entry_level="B1", target_level="B2"),
            headers=COORDINATOR)
        pseudonym = await register(bootstrap, 30, german_level="A1", goals=["work"])
        first = await eventually(placements.offered, what="integration course offered")
        assert first[0]["course_id"] == integration

        await send(bootstrap, PARTICIPATION.name, CourseCompleted(
            pseudonym=pseudonym, referral_code=first[0]["referral_code"],
            course_id=integration, report_id=uuid.uuid4().hex, completed_on=county_today(),
            level_reached="B1"))
        proposed = await eventually(
            lambda: placements.offered("ankommen.assignment.next_course_proposed.v1"),
            what="next course proposed")
        assert proposed[0] | {"pseudonym": None} == {
            "pseudonym": None, "completed_course_id": integration, "level_reached": "B1",
            "course_type": "job_related_b2", "target_level": "B2"}
        offers = await eventually(placements.offered, until=lambda found: len(found) == 2,
                                  what="job-related course offered")
        assert offers[1]["course_id"] == job and offers[1]["pseudonym"] == pseudonym
