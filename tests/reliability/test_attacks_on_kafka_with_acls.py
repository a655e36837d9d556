"""The forged-event attacks of issue 14, replayed against the running system on Apache Kafka
with its authoriser on — as the services run in production and under ``make run``.

All four services run, each signed in to the broker as its own principal (SASL/SCRAM over TLS, the
ACL plan of :mod:`ankommen.shared.messaging.kafka_acls`). A person is registered at intake, placed
in a course a coordinator published for provider A, and confirmed by A — who is then shown the
contact details the person consented to share. Then an attacker holding any credential but the
owner's (another provider's system, a service broken into) writes the most convincing
forgeries: real events, claiming the owning service as their ``source``, each aimed at what the
issue found: a ``PlacementConfirmed`` to make intake name the person to provider B, a
``CaseErased`` to delete the person downstream, a ``CoursePublished`` to plant a course, a
report in A's name, arrival facts for the public dashboard. The broker refuses every write;
afterwards not one row of any service has changed and provider B is shown nothing.

Who holds an owner's own credential can still write its topic: what then stops a forgery is
the consumers' provenance rule (``tests/reliability/test_forged_events.py``, where no ACL
stops the writes), intake's disclosure rule (a placement only in an approved, running course of
the county: ``tests/reliability/test_provider_harvest.py``) and monitoring's bounds (a fact for
another county's district is held for review, shown here with intake's own credential).
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError

from ankommen.monitoring.adapters.repository import Aggregates
from ankommen.shared.events import EventData, registry
from ankommen.shared.events.contracts.assignment import CoursePublished, PlacementConfirmed
from ankommen.shared.events.contracts.intake import CaseErased
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.topics import (
    CASES,
    COURSES,
    FACTS,
    PLACEMENTS,
    provider_reports_topic,
)
from tests.assignment.builders import course
from tests.assignment.support import COORDINATOR, course_body, outbox, waiting_count
from tests.intake.integration.test_contact_disclosure import ALL_CONTACT, register
from tests.monitoring.facts_topic import arrival
from tests.progress.integration.catalogue import referral_code
from tests.reliability.test_forged_events import rows
from tests.support.brokers import SECURED_PROVIDERS
from tests.support.county_day import county_today
from tests.support.event_examples import owners_source
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token

SERVICES = ("intake", "assignment", "progress", "monitoring")
OFFERED = "ankommen.assignment.placement_offered.v1"
THIS_MONTH = county_today().strftime("%Y-%m")
OWNER, ATTACKER = SECURED_PROVIDERS


def as_owner(data: EventData, source: str | None = None) -> Envelope:
    """``data`` as a real event, claiming to come from its owner (or from ``source``)."""
    return registry.envelope(data, source=source or owners_source(data))


async def forge(access: KafkaAccess, topic: str, key: str, event: Envelope) -> None:
    """Write ``event`` onto ``topic``, signed in to the broker as ``access``."""
    producer = AIOKafkaProducer(**client_options(access), acks="all", enable_idempotence=True,
                                request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, event.to_bytes(), key=key.encode())
    finally:
        await producer.stop()


async def names(intake: RunningService, provider_id: str, codes: list[str]) -> dict[str, dict]:
    response = await intake.client.post("/disclosures/contacts", json={"referral_codes": codes},
                                        headers=token(Role.PROVIDER, provider_id))
    assert response.status_code == 200, response.text
    return {each["referral_code"]: each for each in response.json()["contacts"]}


@contextlib.asynccontextmanager
async def system_on(secured_kafka, databases):  # noqa: ANN001, ANN202
    """The four services, each signed in to the secured broker as itself."""
    async with contextlib.AsyncExitStack() as stack:
        running = {}
        for name in SERVICES:
            access = secured_kafka.access(name)
            running[name] = await stack.enter_async_context(in_process(
                name, bootstrap=secured_kafka.bootstrap_servers,
                database_url=await databases.url(name), kafka_username=name,
                kafka_password=secured_kafka.passwords[name], kafka_ca_file=access.ca_file,
                kafka_provider_ids=",".join(SECURED_PROVIDERS)))
        yield running


async def placed_and_confirmed(running: dict[str, RunningService]) -> tuple[dict, str]:
    """A person placed by the county in provider A's approved, running course, confirmed by
    A; returns the person and the referral code."""
    victim = await register(running["intake"], ALL_CONTACT, family_name="Haddadin",
                            given_names="Rasha")
    assignment = running["assignment"]
    await eventually(lambda: waiting_count(assignment), until=lambda count: count == 1,
                     timeout=60, what="the person waiting in assignment")
    today = county_today()
    body = course_body(f"course-{uuid.uuid4().hex[:8]}", OWNER, minimum_participants=0,
                       starts_on=(today - timedelta(days=10)).isoformat(),
                       ends_on=(today + timedelta(days=100)).isoformat())
    published = await assignment.client.post("/courses", headers=COORDINATOR, json=body)
    assert published.status_code == 201, published.text
    assert published.json()["approval"] == "approved"
    [offer] = await outbox(assignment, OFFERED)
    code = offer["referral_code"]
    confirmed = await assignment.client.post(f"/referrals/{code}/confirm",
                                             headers=token(Role.PROVIDER, OWNER))
    assert confirmed.status_code == 200, confirmed.text
    await eventually(lambda: names(running["intake"], OWNER, [code]),
                     until=lambda found: code in found, timeout=60,
                     what="provider A shown the contact details of its confirmed participant")
    return victim, code


@pytest.mark.timeout(240)
async def test_every_forged_event_is_refused_by_the_broker_and_nothing_changes(
        secured_kafka, sqlite_databases):
    async with system_on(secured_kafka, sqlite_databases) as running:
        victim, real_code = await placed_and_confirmed(running)
        pseudonym = victim["pseudonym"]
        # Once progress has the person, the confirmed placement and its course too (each
        # from its own topic, in any order: under load the course came last, after the
        # snapshot), nothing of the person is in transit.
        before = await eventually(lambda: rows(running), until=lambda found: (
            any(pseudonym in row for row in found["progress.known_cases"])
            and any("confirmed" in row for row in found["progress.placements"])
            and bool(found["progress.courses"])),
            timeout=60, what="progress has the person, the confirmed placement and its course")

        evil_code = referral_code()
        confirmation = PlacementConfirmed(
            placement_id=secrets.token_hex(8), pseudonym=pseudonym, referral_code=evil_code,
            course_id="course-evil", provider_id=ATTACKER)
        planted = CoursePublished(course=course(course_id="course-evil", provider_id=ATTACKER,
                                                capacity=500))
        # (credential, topic, key, event): every credential but the topic owner's.
        forgeries = [
            *[(who, PLACEMENTS, pseudonym, as_owner(confirmation))
              for who in ("intake", "progress", "monitoring", f"provider-{OWNER}",
                          f"provider-{ATTACKER}")],
            *[(who, CASES, pseudonym, as_owner(CaseErased(pseudonym=pseudonym)))
              for who in ("assignment", "progress", "monitoring", f"provider-{ATTACKER}")],
            *[(who, COURSES, "course-evil", as_owner(planted))
              for who in ("intake", "progress", "monitoring", f"provider-{ATTACKER}")],
            *[(who, FACTS, uuid.uuid4().hex, arrival("2026-11", "09162"))
              for who in ("monitoring", f"provider-{ATTACKER}")],
        ]
        refused = []
        for who, topic, key, event in forgeries:
            with pytest.raises(TopicAuthorizationFailedError):
                await forge(secured_kafka.access(who), topic.name, key, event)
            refused.append((who, topic.name))
        # A report on the owner's topic, written with the attacker's provider credential.
        with pytest.raises(TopicAuthorizationFailedError):
            await forge(secured_kafka.access(f"provider-{ATTACKER}"),
                        provider_reports_topic(OWNER).name, real_code,
                        as_owner(confirmation, f"/providers/{OWNER}"))
        refused.append((f"provider-{ATTACKER}", provider_reports_topic(OWNER).name))
        assert len(refused) == len(forgeries) + 1

        # Nothing changed anywhere; the attacker's provider is shown nobody.
        assert await rows(running) == before
        assert await names(running["intake"], ATTACKER, [evil_code, real_code]) == {}
        assert set(await names(running["intake"], OWNER, [real_code])) == {real_code}

        # Intake's own credential may write facts: one for another county's district is held
        # for review, not published.
        statistics_before = await published(running["monitoring"])
        await forge(secured_kafka.access("intake"), FACTS.name, uuid.uuid4().hex,
                    arrival(THIS_MONTH, "09162"))
        held = await eventually(lambda: review(running["monitoring"]),
                                until=lambda found: sum(found.values()) > 0, timeout=30,
                                what="the forged fact on monitoring's review list")
        assert {reason: count for reason, count in held.items() if count} == {
            "unknown_district": 1}
        assert await published(running["monitoring"]) == statistics_before


async def review(monitoring: RunningService) -> dict[str, int]:
    response = await monitoring.client.get("/review", headers=token(Role.ADMIN))
    assert response.status_code == 200, response.text
    return response.json()["pending"]["by_reason"]


async def published(monitoring: RunningService) -> dict:
    """What is published — the catalogue and the newest closed month's table by district —
    and what the published tables are computed from: the districts and months of the stored
    aggregates (the forged fact's month is open, so it would show there first)."""
    response = await monitoring.client.get("/statistics", headers=token(Role.MONITORING_VIEWER))
    assert response.status_code == 200, response.text
    by_district = await monitoring.client.get("/statistics/arrivals",
                                              params={"by": "district"})
    assert by_district.status_code == 200, by_district.text
    async with monitoring.runtime.sessions() as session:
        aggregates = Aggregates(session)
        stored = {"districts": await aggregates.districts(),
                  "months": await aggregates.months()}
    return {"catalogue": response.json(), "by district": by_district.json(), **stored}
