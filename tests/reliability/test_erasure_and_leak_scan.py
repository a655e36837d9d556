"""Intake's privacy promises across the whole system, over the real broker (the leak scan of
the reliability proof).

A canary person — distinctive name, birth date and place, phone, e-mail, address and file
number — goes the whole way before the scan: registered through intake's API (consenting to
share name and e-mail with the provider), placed by an allocation in a course a coordinator
published, confirmed by the provider, reported on over HTTP and over the provider topic (with
one invalid report, answered on the rejections topic, and one malformed message, dead-lettered),
and named on the provider's participants page in progress through intake's audited disclosure.
Then:

- the canary's name and e-mail appear in that page only; nothing of the canary appears in any
  Kafka message on any topic (dead-letter and rejection topics included), any log record of any
  service, any span, any database other than intake's (where it is encrypted), any monitoring
  output (pages, JSON and CSV of every measure, key figures, status) or any export and API
  answer of assignment and progress;
- after an erasure the identity cannot be decrypted, search finds nothing, the provider page
  names no one, and neither assignment nor progress holds a row with the pseudonym.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import uuid
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from ankommen.intake.adapters.crypto import UndecryptableIdentity
from ankommen.intake.adapters.tables import identities
from ankommen.intake.service.protection import IdentityProtection
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import (
    TOPICS,
    provider_rejections_topic,
    provider_reports_topic,
)
from ankommen.shared.web.pages import session_cookie
from tests.assignment.support import course_body, outbox
from tests.progress.integration.catalogue import (
    produce,
    provider_message,
    raw_record,
    read_topic,
    wait_for_confirmed,
    wait_for_participants,
)
from tests.support.brokers import provider_channels
from tests.support.county_day import county_today
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import in_process, served_over_http, token
from tests.support.statistics import every_table
from tests.support.surveys import identity, registration


def signed_in(headers: dict[str, str]) -> dict[str, str]:
    """The bearer token for the APIs, and the same token as every service's session cookie
    for the pages."""
    bearer = headers["Authorization"].removeprefix("Bearer ")
    return {**headers, "Cookie": "; ".join(
        f"{session_cookie(service)}={bearer}" for service in ("intake", "assignment", "progress"))}


STAFF = token(Role.INTAKE_STAFF)
ADMIN = signed_in(token(Role.ADMIN))
COORDINATOR = signed_in(token(Role.COORDINATOR))
PROVIDER_ID = "vhs-kanarien"
#: The provider's own topics: it writes reports, and reads its rejections.
REPORTS = provider_reports_topic(PROVIDER_ID)
REJECTIONS = provider_rejections_topic(PROVIDER_ID)
PROVIDER = signed_in(token(Role.PROVIDER, PROVIDER_ID))
FAMILY, GIVEN, BORN = "Ghebremeskel", "Yordanos", "1993-02-17"
EMAIL = "yordanos.canary.7730419@example.org"
CANARY = {"birth_place": "Quorvantiskaya", "phone": "+49 5191 7730419", "email": EMAIL,
          "address": {"street": "Zwetschgenweg 77b", "postal_code": "29614", "city": "Soltau"},
          "file_numbers": [{"kind": "federal_office", "number": "9773041-188"}]}
#: Name and e-mail: the provider may see them (consented); the rest never leaves intake.
DISCLOSED = (FAMILY, GIVEN, EMAIL)
SEEDS = (FAMILY, GIVEN, BORN, "17.02.1993", "19930217", "Quorvantiskaya", "7730419",
         "5191 7730419", "yordanos.canary", "Zwetschgenweg", "9773041-188", "9773041")
CONSENTS = ["share_contact_with_provider", "contact_by_email"]
TODAY = county_today()
COURSE_STARTS = TODAY - timedelta(days=30)
FACT_TYPES = ("ankommen.intake.arrival_recorded.v1",
              "ankommen.assignment.placement_made_fact.v1",
              "ankommen.assignment.course_capacity_fact.v1",
              "ankommen.progress.exam_result_fact.v1")
#: Monitoring's pages and its fixed API answers; every measure's JSON and CSV are added.
MONITORING_PAGES = ("/", "/?lang=en", "/report", "/statistics", "/statistics/key-figures")
MESSAGING_TABLES = {"outbox", "inbox"}


def day(offset: int) -> str:
    """A date ``offset`` days after the course start, as ISO text."""
    return (COURSE_STARTS + timedelta(days=offset)).isoformat()


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


async def facts_applied(monitoring) -> set[str]:  # noqa: ANN001
    status = (await monitoring.client.get("/status", headers=ADMIN)).json()
    return {row["type"] for row in status["by_type"] if row["applied"]}


async def published_text(client, path: str, headers: dict[str, str] | None = None) -> str:  # noqa: ANN001
    answer = await client.get(path, headers=headers or {})
    assert answer.status_code == 200, (path, answer.text[:200])
    return answer.text


async def monitoring_outputs(monitoring) -> list[str]:  # noqa: ANN001
    """Every page, every catalogue table as JSON and CSV, the key figures and the operators'
    status."""
    client = monitoring.client
    published = [await published_text(client, path) for path in MONITORING_PAGES]
    catalogue = json.loads(published[3])
    assert {"arrivals", "placements", "exam_results"} <= {
        table["measure"] for table in catalogue["tables"]}
    for path in every_table(catalogue):
        published.append(await published_text(client, path))
    published.append(await published_text(client, "/status", ADMIN))
    return published


async def exports(assignment, progress, placement: dict) -> list[str]:  # noqa: ANN001
    """Assignment's and progress's exports and API answers about the canary's placement."""
    code = placement["referral_code"]
    answers = [await published_text(assignment.client, path, COORDINATOR) for path in (
        "/course-list.csv", "/waiting-list", "/unmet-demand", "/courses",
        f"/placements/{placement['placement_id']}", "/ui/courses", "/ui/waiting-list",
        "/ui/unmet-demand", "/course-list")]
    answers.append(await published_text(assignment.client, f"/referrals/{code}", PROVIDER))
    # The provider's pages (list and participant) show what intake disclosed: checked apart.
    answers += [await published_text(progress.client, path, PROVIDER) for path in (
        "/participants", f"/participants/{code}/reports")]
    answers.append(await published_text(progress.client, "/cases/count", COORDINATOR))
    return answers


async def every_partition(bootstrap: str) -> list[TopicPartition]:
    """Every partition of every topic the broker has (a consumer's own metadata lists only
    the topics it asked for: on Kafka, right after it started, none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    return [TopicPartition(topic["topic"], partition["partition"])
            for topic in described for partition in topic["partitions"]]


async def all_messages(bootstrap: str) -> list[tuple[str, bytes]]:
    """(topic, key + value + headers) of every message on every topic the broker has: ours,
    their dead-letter topics and any other."""
    partitions = await every_partition(bootstrap)
    declared = {name for topic in TOPICS for name in (topic.name, topic.dead_letter)}
    existing = {partition.topic for partition in partitions}
    assert declared <= existing, declared - existing
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        messages: list[tuple[str, bytes]] = []
        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])

        while await behind():
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    messages.append((record.topic, (record.key or b"") + (record.value or b"")
                                     + b"".join(value for _, value in record.headers or ())))
        return messages
    finally:
        await consumer.stop()


async def place_and_confirm(intake, assignment) -> tuple[str, str, dict]:  # noqa: ANN001
    """The canary registered, placed by the allocation the registration triggers in the course
    a coordinator published, and confirmed by the course's provider: (case id, pseudonym,
    placement)."""
    course = course_body("course-kanarien", PROVIDER_ID, starts_on=COURSE_STARTS.isoformat(),
                         ends_on=(COURSE_STARTS + timedelta(days=180)).isoformat())
    published = await assignment.client.post("/courses", json=course, headers=COORDINATOR)
    assert published.status_code == 201, published.text
    person = identity(family_name=FAMILY, given_names=GIVEN, birth_date=BORN, **CANARY)
    response = await intake.client.post(
        "/cases", json=registration(person=person, consents=CONSENTS), headers=STAFF)
    assert response.status_code == 201, response.text
    case_id, pseudonym = response.json()["case_id"], response.json()["pseudonym"]
    read = await intake.client.get(f"/cases/{case_id}", params={"purpose": "counselling"},
                                   headers=STAFF)
    # The canary went in whole: intake itself gives it back to staff.
    assert all(value in read.text for value in ("Zwetschgenweg", "9773041-188",
                                                "yordanos.canary")), read.text
    [placement] = await eventually(
        lambda: outbox(assignment, "ankommen.assignment.placement_offered.v1"),
        until=lambda offered: len(offered) == 1, timeout=60, what="the canary placed")
    assert placement["pseudonym"] == pseudonym and placement["provider_id"] == PROVIDER_ID
    confirmed = await assignment.client.post(
        f"/referrals/{placement['referral_code']}/confirm", headers=PROVIDER)
    assert confirmed.status_code == 200, confirmed.text
    return case_id, pseudonym, placement


async def report_progress(progress, bootstrap: str, code: str) -> None:  # noqa: ANN001
    """Reports over HTTP and over the provider's topic: enrolment and an exam result, an
    attendance, an invalid attendance (rejected on the provider's rejections topic) and a
    message that is no envelope at all (dead-lettered)."""
    await wait_for_participants(progress, PROVIDER_ID, 1)
    await wait_for_confirmed(progress, PROVIDER_ID, code)  # an enrolment needs it
    for report in ({"kind": "enrolment", "report_id": "kanarie-1", "started_on": day(1)},
                   {"kind": "exam_result", "report_id": "kanarie-2", "exam": "dtz",
                    # Today: an exam in a month monitoring has closed (its end plus five
                    # days of grace) is held for review, not counted.
                    "taken_on": TODAY.isoformat(), "passed": True, "level_reached": "A2"}):
        accepted = await progress.client.post("/reports", headers=PROVIDER,
                                              json={**report, "referral_code": code})
        assert accepted.status_code == 201, accepted.text
    attendance = {"kind": "attendance", "referral_code": code, "period_start": day(1),
                  "period_end": day(14), "hours_planned": 40}
    await produce(bootstrap, REPORTS.name, [
        (code, json.dumps(provider_message(PROVIDER_ID, {
            **attendance, "report_id": "kanarie-3", "hours_attended": 36})).encode()),
        (code, json.dumps(provider_message(PROVIDER_ID, {
            **attendance, "report_id": "kanarie-4", "hours_attended": 41})).encode()),
        (code, b"Teilnehmerliste Kurs Kanarien: kein Umschlag")])
    [rejection] = await read_topic(bootstrap, REJECTIONS.name, until=bool,
                                   deadline=60)
    assert rejection["data"]["report_id"] == "kanarie-4", rejection
    assert "hours_attended" in json.dumps(rejection["data"]["errors"])
    [dead] = await read_topic(bootstrap, REPORTS.dead_letter, until=bool,
                              deadline=60, decode=raw_record)
    assert dead["value"].startswith(b"Teilnehmerliste"), dead

    async def history() -> list[str]:
        answer = await progress.client.get(f"/participants/{code}/reports", headers=PROVIDER)
        return sorted(entry["report_id"] for entry in answer.json()["entries"])

    await eventually(history, until=lambda ids: ids == ["kanarie-1", "kanarie-2", "kanarie-3"],
                     timeout=60, what="progress stored the three valid reports")


async def provider_page(progress, code: str = "") -> str:  # noqa: ANN001
    """The provider's participants page, or one participant's: names come from intake's
    audited disclosure."""
    return await published_text(progress.client, f"/participants/{code}" if code else "/",
                                PROVIDER)


@pytest.mark.slow
@pytest.mark.reliability
async def test_canary_goes_the_whole_way_leaks_nowhere_and_is_erased_everywhere(
        kafka, databases, caplog):
    caplog.set_level(logging.DEBUG)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    bootstrap = kafka.bootstrap_servers
    await provider_channels(bootstrap, PROVIDER_ID)
    async with contextlib.AsyncExitStack() as stack:
        # Intake on a real port: progress's provider page asks it for the names over HTTP.
        intake_url, intake = await stack.enter_async_context(served_over_http(
            "intake", bootstrap=bootstrap, database_url=await databases.url("intake"),
            tracer_provider=provider))
        system = {"intake": intake}
        for name, settings in (("assignment", {}), ("progress", {"intake_url": intake_url}),
                               ("monitoring", {})):
            system[name] = await stack.enter_async_context(in_process(
                name, bootstrap=bootstrap, database_url=await databases.url(name),
                tracer_provider=provider, **settings))
        assignment, progress = system["assignment"], system["progress"]

        case_id, pseudonym, placement = await place_and_confirm(intake, assignment)
        code = placement["referral_code"]
        await report_progress(progress, bootstrap, code)
        # Once intake has learnt of the confirmation, the page names the canary.
        page = await eventually(lambda: provider_page(progress),
                                until=lambda text: FAMILY in text, timeout=60,
                                what="the provider page names the canary")
        detail = await provider_page(progress, code)
        for shown in (page, detail):
            assert all(value in shown for value in DISCLOSED), shown
            assert not any(seed in shown for seed in SEEDS if seed not in "".join(DISCLOSED)), (
                "a provider page shows more than was consented to")
        audit = (await intake.client.get("/audit", params={"case_id": case_id},
                                         headers=ADMIN)).json()
        disclosures = [(entry["recipient"], entry["disclosed"]) for entry in audit
                       if entry["action"] == "disclose_contact"]
        assert disclosures and set(disclosures) == {(PROVIDER_ID, "names,email")}

        await eventually(lambda: facts_applied(system["monitoring"]),
                         until=lambda applied: set(FACT_TYPES) <= applied, timeout=60,
                         what="monitoring counted arrival, placement, seats and exam")
        published = await monitoring_outputs(system["monitoring"])
        published += await exports(assignment, progress, placement)

        # Intake holds the canary, but only encrypted (search keys are keyed hashes).
        intake_rows = await rows_of(intake, "intake")
        assert intake_rows and not any(seed in row for seed in SEEDS for row in intake_rows)
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
        assert FAMILY not in await provider_page(progress)
        with pytest.raises(UndecryptableIdentity):
            IdentityProtection.from_settings(intake.runtime.settings).vault.open(
                uuid.UUID(case_id), None, backup)
        search = await intake.client.post("/cases/search", headers=STAFF, json={
            "family_name": FAMILY, "given_names": GIVEN, "birth_date": BORN})
        assert search.json()["matches"] == []

        messages = await all_messages(bootstrap)
        stored = {name: await rows_of(system[name], name)
                  for name in ("assignment", "progress", "monitoring")}

    topics = {topic for topic, _ in messages}
    assert {REJECTIONS.name, REPORTS.dead_letter} <= topics, topics
    # Kafka's own topics (consumer offsets) hold records of every test of the session so far.
    internal = sum(topic.startswith("__") for topic, _ in messages)
    messages = [value for _, value in messages]
    assert any(pseudonym.encode() in message for message in messages)
    assert any(code.encode() in message for message in messages)
    spans = exporter.get_finished_spans()
    assert spans and caplog.records
    span_text = "\n".join(f"{span.name} {dict(span.attributes or {})} "
                          f"{[dict(event.attributes or {}) for event in span.events]}"
                          for span in spans)
    log_text = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for seed in SEEDS:
        assert not any(seed in text for text in published), f"{seed} published or exported"
        assert not any(seed.encode() in message for message in messages), f"{seed}: Kafka"
        assert seed not in span_text, f"{seed} in a span"
        assert seed not in log_text, f"{seed} in the logs"
        for name, rows in stored.items():
            assert not any(seed in row for row in rows), f"{seed} in {name}'s database"
    record("leak scans", "canary values", len(SEEDS))
    record("leak scans", "Kafka messages scanned", len(messages) - internal)
    record("leak scans", "Kafka internal records scanned (consumer offsets of the session)",
           internal)
    record("leak scans", "topics scanned", len(topics))
    record("leak scans", "log records scanned", len(caplog.records))
    record("leak scans", "spans scanned", len(spans))
    record("leak scans", "database rows scanned (assignment, progress, monitoring)",
           sum(len(rows) for rows in stored.values()))
    record("leak scans", "published pages, API answers and exports scanned", len(published))
    record("leak scans", "leaks found", 0)
