"""Acceptance of issue 23: a provider's developer with the official CloudEvents SDK for Python
(``cloudevents`` 2.x) reads every event of a running system and reports with it.

The four services run in process on the session's Apache Kafka, with one provider that reports
over its own topic. The scenario makes every topic the services publish on carry events —
registrations, a survey update, a merge, a closure, an erasure; courses published, updated and
cancelled; offers confirmed, declined and withdrawn; provider reports of every kind, one of them
refused; the next course for whoever completed one; facts — and the provider's reports are
written with the SDK itself (``to_structured``, its default key mapper taking the Kafka key from
``partitionkey``): progress must accept them. Then every topic of the topic plan is read from
offset 0, each record turned into the SDK's ``KafkaMessage`` and parsed with its Kafka binding
(``from_structured``, the current API and the 1.x one the package still ships): every record
must parse, and every topic must hold some.

Dead-letter topics (``<topic>.dlq``) are not part of "every topic": they hold the bytes someone
else sent, as sent — possibly not an event at all, which is why they are there — so no reader
can promise to parse them. The scenario must leave them empty, which is asserted instead.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1 import kafka as sdk_1x

from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportSubmitted,
)
from ankommen.shared.messaging.topics import (
    DEAD_LETTER_SUFFIX,
    provider_rejections_topic,
    provider_reports_topic,
    topic_plan,
)
from tests.assignment.support import course_body, outbox
from tests.reliability.county_year import COORDINATOR, INTAKE_STAFF, County, county, provider_token
from tests.support.brokers import provider_channels
from tests.support.polling import eventually
from tests.support.surveys import identity, registration

PROVIDER = "vhs-heidekreis"
#: Every topic of the running system, with its partitions.
PLAN = topic_plan(providers=[PROVIDER])
#: The event types the scenario must produce: one of each action it takes.
EXPECTED_TYPES = {f"ankommen.{name}.v1" for name in (
    "intake.case_registered", "intake.survey_updated", "intake.cases_merged",
    "intake.case_closed", "intake.case_erased",
    "assignment.course_published", "assignment.course_updated", "assignment.course_cancelled",
    "assignment.placement_offered", "assignment.placement_confirmed",
    "assignment.placement_declined", "assignment.placement_withdrawn",
    "progress.participant_enrolled", "progress.attendance_recorded",
    "progress.report_corrected", "progress.participation_interrupted",
    "progress.participation_resumed", "progress.exam_result_recorded",
    "progress.course_completed", "progress.course_discontinued",
    "provider.report_submitted", "progress.provider_report_rejected",
    "assignment.next_course_proposed", "assignment.course_transition_fact")}


def report(kind: str, code: str, **fields: object) -> dict[str, Any]:
    return {"kind": kind, "report_id": uuid.uuid4().hex, "referral_code": code, **fields}


def sdk_report(data: dict[str, Any]) -> KafkaMessage:
    """A report as a provider's system writes it with the SDK: the key is the referral code,
    given as the event's ``partitionkey`` for the SDK's default key mapper."""
    event = CloudEvent(attributes={
        "type": ProviderReportSubmitted.event_type,
        "source": f"{PROVIDER_SOURCE_PREFIX}{PROVIDER}",
        "partitionkey": data["referral_code"],
        "datacontenttype": "application/json"}, data={"report": data})
    return to_structured(event, JSONFormat())


async def send_with_sdk(bootstrap: str, reports: list[dict[str, Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for data in reports:
            message = sdk_report(data)
            key = message.key.encode() if isinstance(message.key, str) else message.key
            await producer.send_and_wait(provider_reports_topic(PROVIDER).name, message.value,
                                         key=key, headers=list(message.headers.items()))
    finally:
        await producer.stop()


async def records_of(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from offset 0 up to its end now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, number) for number in range(PLAN[topic])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                found += batch
        return found
    finally:
        await consumer.stop()


def parsed_by_the_sdk(record: ConsumerRecord[bytes, bytes]) -> str:
    """The record read as the SDK's Kafka binding reads it (both its APIs); its type."""
    headers = {name: value for name, value in record.headers}
    message = KafkaMessage(headers=headers, key=record.key, value=record.value)
    event = from_structured(message, JSONFormat())
    legacy = sdk_1x.from_structured(sdk_1x.KafkaMessage(headers, record.key, record.value))
    assert legacy["id"] == event.get_id()
    # Structured mode, as the binding says a receiver tells it (section 3).
    assert headers["content-type"].decode().lower().startswith("application/cloudevents")
    # The key the binding's key mapper would give an SDK event is the record's own.
    assert json.loads(record.value)["partitionkey"] == record.key.decode()
    return event.get_type()


async def scenario(place: County, bootstrap: str) -> None:
    """Enough for every topic to carry events, and the provider's reports written with the
    SDK: progress stores the valid ones and answers the refused one on the rejections topic."""
    assignment, intake = place.system["assignment"], place.system["intake"]
    today = place.today

    async def publish(body: dict[str, Any]) -> None:
        created = await assignment.client.post("/courses", json=body, headers=COORDINATOR)
        assert created.status_code == 201, created.text
        if created.json().get("approval") != "approved":
            approved = await assignment.client.post(f"/courses/{body['course_id']}/approve",
                                                    headers=COORDINATOR)
            assert approved.status_code == 200, approved.text

    # A course that started a month ago and still takes newcomers; two nobody here fits (an
    # upper level, elsewhere), one changed and one cancelled.
    await publish(course_body(f"run-{uuid.uuid4().hex[:6]}", PROVIDER, capacity=12,
                              childcare_places=12,  # the example arrival has a child
                              starts_on=(today - timedelta(days=30)).isoformat(),
                              ends_on=(today + timedelta(days=150)).isoformat()))
    elsewhere = {"entry_level": "B1", "target_level": "C1", "region_key": "03358024"}
    changed = course_body(f"chg-{uuid.uuid4().hex[:6]}", PROVIDER, **elsewhere)
    await publish(changed)
    updated = await assignment.client.put(f"/courses/{changed['course_id']}",
                                          json={**changed, "capacity": 25}, headers=COORDINATOR)
    assert updated.status_code == 200, updated.text
    cancelled = course_body(f"cnc-{uuid.uuid4().hex[:6]}", PROVIDER, **elsewhere)
    await publish(cancelled)
    gone = await assignment.client.post(f"/courses/{cancelled['course_id']}/cancel",
                                        headers=COORDINATOR)
    assert gone.status_code == 200, gone.text
    # The next step for whoever completes at B1 (a Förderkette: its placement is a transition).
    await publish(course_body(f"nxt-{uuid.uuid4().hex[:6]}", PROVIDER, capacity=12,
                              childcare_places=12, course_type="job_related_b2",
                              entry_level="B1", target_level="B2"))

    cases = []
    for _ in range(7):
        # Adults (a younger person waits for a youth course), each a different one.
        adult = registration(person=identity(birth_date="1990-05-01"))
        response = await intake.client.post("/cases", json=adult, headers=INTAKE_STAFF)
        assert response.status_code == 201, response.text
        cases.append(response.json())
    completes, discontinues, declines, closes, erased, survivor, merged = cases
    await place.settle()
    allocated = await assignment.client.post("/allocations", json={"dry_run": False},
                                             headers=COORDINATOR)
    assert allocated.status_code == 200, allocated.text
    await place.settle()

    offers = await offers_by_case(place, cases)
    for case, answer in ((completes, "confirm"), (discontinues, "confirm"),
                         (declines, "decline")):
        answered = await assignment.client.post(
            f"/referrals/{offers[case['pseudonym']]}/{answer}",
            headers=provider_token(PROVIDER))
        assert answered.status_code == 200, answered.text
    closed = await intake.client.post(f"/cases/{closes['case_id']}/close",
                                      json={"reason": "moved_away"}, headers=INTAKE_STAFF)
    assert closed.status_code == 200, closed.text
    assert (await intake.client.delete(f"/cases/{erased['case_id']}", headers=INTAKE_STAFF)
            ).status_code == 204
    moved = await intake.client.patch(f"/cases/{survivor['case_id']}/survey",
                                      json={"schooling_years": 13}, headers=INTAKE_STAFF)
    assert moved.status_code == 200 and moved.json()["changed_fields"], moved.text
    suspected = await intake.client.post("/duplicates", headers=INTAKE_STAFF, json={
        "case_id": survivor["case_id"], "other_case_id": merged["case_id"]})
    assert suspected.status_code == 201, suspected.text
    merging = await intake.client.post(
        f"/duplicates/{suspected.json()['suspicion_id']}/merge", headers=INTAKE_STAFF,
        json={"surviving_case_id": survivor["case_id"]})
    assert merging.status_code == 200, merging.text
    await place.settle()

    def on(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    first, second = offers[completes["pseudonym"]], offers[discontinues["pseudonym"]]
    attendance = report("attendance", second, period_start=on(20), period_end=on(14),
                        hours_planned=20, hours_attended=18)
    accepted = {
        first: [report("enrolment", first, started_on=on(20)),
                report("attendance", first, period_start=on(20), period_end=on(14),
                       hours_planned=20, hours_attended=20),
                report("exam_result", first, exam="dtz", taken_on=on(2), passed=True,
                       level_reached="B1"),
                report("completion", first, completed_on=on(1), level_reached="B1")],
        second: [report("enrolment", second, started_on=on(20)), attendance,
                 report("retraction", second, corrects_report_id=attendance["report_id"]),
                 report("interruption", second, interrupted_on=on(10), reason="illness"),
                 report("resumption", second, resumed_on=on(5)),
                 report("discontinuation", second, discontinued_on=on(1),
                        reason="moved_away")]}
    # Refused: the offer was declined, nobody may be enrolled on it.
    refused = report("enrolment", offers[declines["pseudonym"]], started_on=on(20))
    await send_with_sdk(bootstrap, [*accepted[first], *accepted[second], refused])
    for code, sent in accepted.items():
        await eventually(lambda code=code: history(place, code), timeout=30,
                         until=lambda found, sent=sent: found >= {each["report_id"]
                                                                   for each in sent},
                         what=f"progress accepted the SDK's reports of {code}")

    def refused_ids(found: list[ConsumerRecord[bytes, bytes]]) -> list[str]:
        return [json.loads(record.value)["data"]["report_id"] for record in found]

    await eventually(lambda: records_of(bootstrap, provider_rejections_topic(PROVIDER).name),
                     timeout=30, until=lambda found: refused_ids(found) == [refused["report_id"]],
                     what="the refused report answered on the rejections topic")
    await place.settle()


async def offers_by_case(place: County, cases: list[dict[str, Any]]) -> dict[str, str]:
    """Referral code of each case's offer, from assignment's outbox."""
    offered = {data["pseudonym"]: data["referral_code"] for data in await outbox(
        place.system["assignment"], "ankommen.assignment.placement_offered.v1")}
    assert {case["pseudonym"] for case in cases} <= set(offered), "someone got no offer"
    return offered


async def history(place: County, code: str) -> set[str]:
    response = await place.system["progress"].client.get(
        f"/participants/{code}/reports", headers=provider_token(PROVIDER))
    if response.status_code != 200:
        return set()
    return {entry["report_id"] for entry in response.json()["entries"]}


async def test_every_event_of_a_running_system_parses_with_the_cloudevents_sdk(
        kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, PROVIDER)
    async with county(kafka, sqlite_databases, MovableClock()) as place:
        await scenario(place, bootstrap)
        assert await place.dead_letters() == 0

    per_topic: dict[str, int] = {}
    types: Counter[str] = Counter()
    failures: list[str] = []
    for topic in PLAN:
        if topic.endswith(DEAD_LETTER_SUFFIX):
            continue
        records = await records_of(bootstrap, topic)
        per_topic[topic] = len(records)
        for record in records:
            try:
                types[parsed_by_the_sdk(record)] += 1
            except Exception as error:  # every failure is listed, not only the first
                failures.append(f"{topic}@{record.partition}:{record.offset}: {error!r}")
    assert failures == []
    assert [topic for topic, count in per_topic.items() if count == 0] == []
    assert set(types) >= EXPECTED_TYPES, sorted(EXPECTED_TYPES - set(types))
