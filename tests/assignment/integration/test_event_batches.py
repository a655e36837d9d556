"""Assignment consumes case and participation events in batches: each batch's events are
applied in order and followed by ONE allocation, in one transaction.

With seats for everyone, a batch of registrations gives the placements that handling the
events one by one gives; a message that cannot be handled is dead-lettered alone while the
rest of its batch is kept; a redelivered batch has no second effect."""

from __future__ import annotations

import base64
import random
import secrets
from datetime import timedelta

from sqlalchemy import select

from ankommen.assignment.adapters.tables import allocation_lock, placements, waiting_people
from ankommen.assignment.app import build_runtime
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Principal, Role
from ankommen.shared.messaging.consumer import DLQ_REASON, Delivery
from ankommen.shared.messaging.topics import CASES
from ankommen.shared.runtime import ServiceRuntime
from tests.assignment.support import COORDINATOR, course_body
from tests.e2e.test_idempotency_and_dead_letters import produce, read_all
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import in_process, settings_for
from tests.support.surveys import survey

#: Two districts, each with a general course of one provider and a literacy course of another.
DISTRICTS = ("03358", "03359")
#: An association of two counties: courses in both districts are theirs.
COUNTY = ",".join(DISTRICTS)


def catalogue() -> list[dict]:
    return [course_body(f"{kind}-{district}", provider_id=f"provider-{kind}-{district}",
                        region_key=district + "021", course_type=kind, capacity=50,
                        childcare_places=10)
            for district in DISTRICTS for kind in ("general_integration", "literacy")]


def token(rng: random.Random | None = None) -> str:
    """A pseudonym like intake's (``secrets.token_urlsafe(24)``), drawn from ``rng`` when a
    test must be reproducible."""
    if rng is None:
        return secrets.token_urlsafe(24)
    return base64.urlsafe_b64encode(rng.randbytes(24)).rstrip(b"=").decode()


def registrations(count: int, rng: random.Random | None = None) -> list[CaseRegistered]:
    """People of both districts, some who cannot read Latin script, some with children, some
    (A0 readers of Latin script) whom no course fits; pseudonyms from ``rng`` if given."""
    return [CaseRegistered(
        pseudonym=token(rng), registered_on=county_today() - timedelta(days=number),
        survey=Survey(**survey(region_key=DISTRICTS[number % 2] + "021",
                               german_level="A1" if number % 3 else "A0",
                               reads_latin_script=number % 4 > 1,
                               literate_other_script=number % 4 < 2,
                               children_needing_care=number % 5 == 0,
                               childcare_age_bands=["3_to_5"] if number % 5 == 0 else [])))
        for number in range(count)]


def delivery(data: CaseRegistered) -> Delivery:
    envelope = registry.envelope(data, source="/ankommen/intake", subject=data.pseudonym)
    return Delivery(registry.decode(envelope.to_bytes()), data.pseudonym)


async def fresh_runtime(databases, name: str,  # noqa: ANN001
                        courses: list[dict] | None = None) -> ServiceRuntime:
    """A migrated assignment with ``courses`` (default :func:`catalogue`) published."""
    runtime = build_runtime(settings_for("assignment", kafka_bootstrap_servers="127.0.0.1:1",
                                         database_url=await databases.url(name),
                                         county_districts=COUNTY))
    await runtime.migrate()
    async with runtime.uow() as uow:
        for body in catalogue() if courses is None else courses:
            await publish_course(uow, Principal("tests", Role.COORDINATOR), Course(**body),
                                 policy=runtime.settings.allocation_policy)
        await uow.commit()
    return runtime


async def placed(runtime: ServiceRuntime) -> dict[str, tuple[str, bool]]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(placements.c.pseudonym, placements.c.course_id,
                                            placements.c.childcare))
        return {pseudonym: (course, childcare) for pseudonym, course, childcare in rows}


async def still_waiting(runtime: ServiceRuntime) -> dict[str, str]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(waiting_people.c.pseudonym, waiting_people.c.reason))
        return dict(rows.all())


async def known(runtime: ServiceRuntime) -> dict[str, object]:
    """What became of each person: a placement (course, childcare) or a waiting reason."""
    return {**await still_waiting(runtime), **await placed(runtime)}


async def allocation_runs(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(allocation_lock.c.runs))


async def test_a_batch_of_registrations_is_one_allocation_with_the_one_by_one_placements(
        databases):
    people = registrations(24)
    one_by_one, batched = (await fresh_runtime(databases, "assignment-single"),
                           await fresh_runtime(databases, "assignment-batch"))
    handle = applying_then_allocating(CASE_EVENTS, batched.settings.allocation_policy,
                                      in_bulk=CASE_EVENTS_IN_BULK)
    try:
        runs_before = await allocation_runs(batched)
        for person in people:
            async with one_by_one.uow() as uow:
                await handle(uow, [delivery(person)])
                await uow.commit()
        async with batched.uow() as uow:
            await handle(uow, [delivery(person) for person in people])
            await uow.commit()

        assert await allocation_runs(batched) == runs_before + 1
        expected = await placed(one_by_one)
        assert len(people) > len(expected) >= len(people) // 2, "some placed, some waiting"
        assert {course for course, _ in expected.values()} == {
            body["course_id"] for body in catalogue()}, "the instance should use every course"
        assert await placed(batched) == expected
        assert await still_waiting(batched) == await still_waiting(one_by_one)
    finally:
        await one_by_one.engine.dispose()
        await batched.engine.dispose()


async def test_poison_message_in_a_batch_is_dead_lettered_alone_and_a_redelivery_has_no_effect(
        kafka, databases):
    people = registrations(6)
    again = people[2].model_copy()  # the same pseudonym registered twice: cannot be stored
    bodies = [registry.envelope(data, source="/ankommen/intake", subject=data.pseudonym).to_bytes()
              for data in [*people[:3], again, *people[3:]]]
    key = b"one-partition"  # one partition, so all of them arrive in order in few batches
    await produce(kafka.bootstrap_servers, CASES.name, [(key, body) for body in bodies])
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("assignment"),
                          consumer_max_attempts=2, county_districts=COUNTY) as assignment:
        for body in catalogue():
            created = await assignment.client.post("/courses", json=body, headers=COORDINATOR)
            assert created.status_code == 201, created.text
        runtime = assignment.runtime
        found = await eventually(lambda: known(runtime), until=lambda got: len(got) == 6,
                                 timeout=60, what="the six people placed or waiting")
        assert set(found) == {person.pseudonym for person in people}
        dead = await read_all(kafka.bootstrap_servers, CASES.dead_letter, expected=1)
        assert len(dead) == 1 and dead[0].value == bodies[3]
        assert dict(dead[0].headers)[DLQ_REASON].decode().startswith(
            "handler failed 2 times: IntegrityError")

        last = registrations(1)[0]
        await produce(kafka.bootstrap_servers, CASES.name, [
            *((key, body) for body in bodies[:3] + bodies[4:]),  # the batch redelivered
            (key, registry.envelope(last, source="/ankommen/intake",
                                    subject=last.pseudonym).to_bytes())])
        after = await eventually(lambda: known(runtime), until=lambda got: len(got) == 7,
                                 timeout=60, what="the event after the redelivery handled")
        assert set(after) - set(found) == {last.pseudonym}
        assert {pseudonym: state for pseudonym, state in after.items()
                if pseudonym != last.pseudonym} == found, "the redelivery changed something"
