"""Forged service events on the real broker (issue 14): each is dead-lettered by every
consumer that reads it, with the reason naming what was wrong, changes no row, discloses
nothing — and the consumers carry on with the valid events after it.

The forgeries are the issue's, as far as a consumer can tell them from the real thing: a
``PlacementConfirmed`` that would have handed an attacker's provider a person's contact details
(on the placements topic from intake's ``source``, or on the cases topic), a ``CaseErased`` from
assignment's ``source`` that would have deleted a person in assignment and progress, and a
``CoursePublished`` on the cases topic. (One written with the owner's own topic and ``source``
cannot be told apart by a consumer: that is for the broker's ACLs to refuse.)
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
import uuid

from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from ankommen.assignment.adapters import tables as assignment_tables
from ankommen.intake.adapters.tables import provider_placements
from ankommen.progress.adapters import tables as progress_tables
from ankommen.shared.events import EventData, registry
from ankommen.shared.events.contracts.assignment import (
    CoursePublished,
    PlacementConfirmed,
    PlacementOffered,
)
from ankommen.shared.events.contracts.intake import CaseErased, CaseRegistered, Survey
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.consumer import DLQ_GROUP, DLQ_REASON
from ankommen.shared.messaging.topics import CASES, PLACEMENTS
from tests.assignment.builders import course
from tests.e2e.test_idempotency_and_dead_letters import produce
from tests.intake.integration.test_contact_disclosure import (
    ALL_CONTACT,
    VHS_A,
    county_course,
    courses_known,
    disclosed,
    placement,
    register,
)
from tests.progress.integration.catalogue import STARTS_ON, announce, referral_code
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token
from tests.support.surveys import survey

ATTACKER = "vhs-mallory"
SERVICES = ("intake", "assignment", "progress")


def sent_as(data: EventData, source: str) -> tuple[bytes, str]:
    """(body, event id) of ``data`` claiming to come from ``source``."""
    envelope = registry.envelope(data, source=source)
    return envelope.to_bytes(), envelope.id


async def rows(running: dict[str, RunningService]) -> dict[str, list[tuple]]:
    """What the forgeries were after: intake's confirmed placements (the disclosure view),
    assignment's cases, waiting list, placements and courses, progress's cases, courses,
    placements and reports."""
    wanted = {"intake": [provider_placements],
              "assignment": [assignment_tables.cases, assignment_tables.waiting_people,
                             assignment_tables.placements, assignment_tables.courses],
              "progress": [progress_tables.known_cases, progress_tables.courses,
                           progress_tables.placements, progress_tables.reports]}
    found = {}
    for service, tables in wanted.items():
        async with running[service].runtime.sessions() as session:
            for table in tables:
                found[f"{service}.{table.name}"] = sorted(
                    tuple(map(str, row)) for row in await session.execute(select(table)))
    return found


async def applied(running: dict[str, RunningService], event_ids: set[str]
                  ) -> dict[str, set[str]]:
    """Consumer group → which of ``event_ids`` its inbox holds."""
    found = {}
    for service in running.values():
        inbox = service.runtime.definition.tables.inbox
        async with service.runtime.sessions() as session:
            for group, event_id in await session.execute(
                    select(inbox.c.consumer, inbox.c.event_id)
                    .where(inbox.c.event_id.in_(event_ids))):
                found.setdefault(group, set()).add(event_id)
    return found


async def test_forged_events_are_dead_lettered_change_nothing_and_consumption_goes_on(
        kafka, sqlite_databases):
    started = time.monotonic()
    bootstrap = kafka.bootstrap_servers
    async with contextlib.AsyncExitStack() as stack:
        running = {service: await stack.enter_async_context(in_process(
            service, bootstrap=bootstrap, database_url=await sqlite_databases.url(service)))
            for service in SERVICES}
        groups = {topic: {consumer.group_id for service in running.values()
                          for consumer in service.runtime.consumers
                          if consumer.topic.name == topic}
                  for topic in (CASES.name, PLACEMENTS.name)}
        assert groups == {CASES.name: {"ankommen.assignment.cases", "ankommen.progress.cases"},
                          PLACEMENTS.name: {"ankommen.intake.placements",
                                            "ankommen.progress.placements"}}

        # The victim: registered at intake (which tells assignment and progress), placed with
        # vhs-a by assignment.
        victim = await register(running["intake"], ALL_CONTACT, family_name="Haddadin",
                                given_names="Rasha")
        pseudonym, real_code = victim["pseudonym"], referral_code()
        # vhs-a's course, approved by a coordinator: intake discloses only for such a course.
        await courses_known(running["intake"], county_course("vhs-a"))
        await announce(bootstrap, [
            placement(PlacementOffered, victim, real_code, "vhs-a", offered_on=STARTS_ON),
            placement(PlacementConfirmed, victim, real_code, "vhs-a")])

        async def settled() -> dict[str, list[tuple]]:
            return await rows(running)

        def known_everywhere(found: dict[str, list[tuple]]) -> bool:
            # Confirmed in progress too: it applies the offer first, and a snapshot between
            # the two would see the confirmation arrive as a change.
            return (any("confirmed" in row for row in found["intake.provider_placements"])
                    and any(pseudonym in row for row in found["assignment.cases"])
                    and any(pseudonym in row for row in found["progress.known_cases"])
                    and any("confirmed" in row for row in found["progress.placements"]))

        before = await eventually(settled, until=known_everywhere, timeout=30,
                                  what="the victim known to intake, assignment and progress")

        evil_code = referral_code()
        confirmation = PlacementConfirmed(placement_id=secrets.token_hex(8), pseudonym=pseudonym,
                                          referral_code=evil_code, course_id="evil-1",
                                          provider_id=ATTACKER)
        on_placements = [sent_as(confirmation, "/ankommen/intake")]
        on_cases = [sent_as(confirmation, "/ankommen/assignment"),
                    sent_as(CaseErased(pseudonym=pseudonym), "/ankommen/assignment"),
                    sent_as(CaseErased(pseudonym=pseudonym), "/ankommen/progress"),
                    sent_as(CoursePublished(course=course(course_id="evil-1",
                                                         provider_id=ATTACKER,
                                                         capacity=500)),
                           "/ankommen/assignment")]
        # Valid events behind the forgeries, on the same partitions: the consumers go on.
        # (Another person's, so that the rows of the victim stay as they were.)
        bystander = secrets.token_urlsafe(24)
        after_cases = sent_as(CaseRegistered(pseudonym=bystander, survey=Survey(**survey()),
                                             registered_on=STARTS_ON), "/ankommen/intake")
        after_placements = sent_as(PlacementConfirmed(
            placement_id=secrets.token_hex(8), pseudonym=bystander,
            referral_code=referral_code(), course_id="course-vhs-a", provider_id="vhs-a"),
            "/ankommen/assignment")
        key = pseudonym.encode()
        await produce(bootstrap, PLACEMENTS.name,
                      [(key, body) for body, _ in [*on_placements, after_placements]])
        await produce(bootstrap, CASES.name, [(key, body) for body, _ in [*on_cases, after_cases]])

        valid = {after_cases[1], after_placements[1]}
        expected = {group: {after_cases[1]} for group in groups[CASES.name]} | {
            group: {after_placements[1]} for group in groups[PLACEMENTS.name]}
        await eventually(lambda: applied(running, valid), until=lambda found: found == expected,
                         timeout=30, what="the valid events after the forgeries applied")
        forgeries = {event_id for _, event_id in [*on_placements, *on_cases]}
        assert await applied(running, forgeries) == {}, "a forged event was applied"

        after = await rows(running)
        for table, found in after.items():
            assert [row for row in found if not any(bystander in value for value in row)] \
                == before[table], f"{table} changed"
        assert await disclosed(running["intake"], token(Role.PROVIDER, ATTACKER),
                               [evil_code]) == {}
        assert set(await disclosed(running["intake"], VHS_A, [real_code])) == {real_code}

    letters = {}
    for topic, sent in ((CASES.name, on_cases), (PLACEMENTS.name, on_placements)):
        letters |= await dead_letters_of(bootstrap, topic, {
            (event_id, group) for _, event_id in sent for group in groups[topic]})
    for _, event_id in on_placements:
        for group in groups[PLACEMENTS.name]:
            assert letters[event_id, group] == (
                "provenance: ankommen.assignment.placement_confirmed.v1 is published by "
                "assignment on ankommen.assignment.placements; came on "
                "ankommen.assignment.placements from /ankommen/intake")
    reasons = {letters[event_id, group] for _, event_id in on_cases
               for group in groups[CASES.name]}
    assert reasons == {
        "provenance: ankommen.assignment.placement_confirmed.v1 is published by assignment on "
        "ankommen.assignment.placements; came on ankommen.intake.cases from /ankommen/assignment",
        "provenance: ankommen.intake.case_erased.v1 is published by intake on "
        "ankommen.intake.cases; came on ankommen.intake.cases from /ankommen/assignment",
        "provenance: ankommen.intake.case_erased.v1 is published by intake on "
        "ankommen.intake.cases; came on ankommen.intake.cases from /ankommen/progress",
        "provenance: ankommen.assignment.course_published.v1 is published by assignment on "
        "ankommen.assignment.courses; came on ankommen.intake.cases from /ankommen/assignment"}
    print(f"forged events: {time.monotonic() - started:.1f} s")


async def dead_letters_of(bootstrap: str, topic: str, wanted: set[tuple[str, str]]
                          ) -> dict[tuple[str, str], str]:
    """(event id, consumer group) → reason, of the dead letters ``wanted`` on ``topic``'s
    dead-letter topic (other tests of the session dead-letter there too). A batch consumer
    writes its dead letters after the batch committed: they may come after the valid event
    behind them was applied."""
    consumer = AIOKafkaConsumer(f"{topic}.dlq", bootstrap_servers=bootstrap,
                                group_id=uuid.uuid4().hex, auto_offset_reset="earliest")
    await consumer.start()
    found: dict[tuple[str, str], str] = {}
    try:
        async def more() -> set[tuple[str, str]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for letter in records:
                    headers = dict(letter.headers)
                    with contextlib.suppress(ValueError, TypeError, KeyError):  # not ours
                        found[json.loads(letter.value)["id"], headers[DLQ_GROUP].decode()] = \
                            headers[DLQ_REASON].decode()
            return wanted - set(found)

        await eventually(more, until=lambda missing: not missing, timeout=20,
                         what=f"the forgeries on {topic}.dlq")
    finally:
        await consumer.stop()
    return {pair: found[pair] for pair in wanted}
