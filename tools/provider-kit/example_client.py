"""A course provider's system reporting to ankommen over Kafka: the example of the provider
integration kit (docs/provider-integration.en.md, docs/provider-integration.de.md).

It does what a provider's own system does, with nothing of ankommen's code — only the
official CloudEvents SDK for Python (``cloudevents`` 2.x, its Kafka binding and JSON format)
and aiokafka — so that a provider's developer can copy it:

1. it signs in as the provider's own principal ``provider-<provider_id>`` (SASL/SCRAM-SHA-512;
   over TLS when a CA file is given, as in production);
2. it sends three reports for one participant whose placement the provider has confirmed —
   the enrolment, a week's attendance and an exam result — each a structured CloudEvent
   (``application/cloudevents+json``) on ``ankommen.provider.<provider_id>.reports``, keyed by
   the referral code (the key keeps one participant's reports in order on one partition);
3. with ``--demonstrate-rejection`` it also sends one report that is wrong on purpose (a
   completion dated tomorrow), to show what a rejection looks like;
4. it reads ``ankommen.provider.<provider_id>.rejections`` in its own consumer group and
   prints every rejection it finds there: progress answers there, and only there, when it
   refuses a report. A report that is not refused is accepted — there is no acceptance
   message.

Report ids are derived from the participant, the kind and the day, so running it twice sends
the same reports again, and progress takes them as duplicates (no change).

Install: ``pip install -r tools/provider-kit/requirements.txt``; run with ``--help``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

#: The event type of a provider's report, and of progress's answer when it refuses one.
REPORT_TYPE = "ankommen.provider.report_submitted.v1"
REJECTION_TYPE = "ankommen.progress.provider_report_rejected.v1"
#: Progress checks every date against the county's day, not the provider's clock.
COUNTY_TIME_ZONE = ZoneInfo("Europe/Berlin")
#: The example week: planned and attended hours (attended ≤ planned, planned ≤ the course's).
HOURS_PLANNED = 20
HOURS_ATTENDED = 18


def reports_topic(provider_id: str) -> str:
    return f"ankommen.provider.{provider_id}.reports"


def rejections_topic(provider_id: str) -> str:
    return f"ankommen.provider.{provider_id}.rejections"


def example_reports(referral_code: str, course_start: date, today: date,
                    demonstrate_rejection: bool) -> list[dict[str, Any]]:
    """The enrolment on the first day, the first week's attendance (up to today) and a DTZ
    passed at A2 on the week's last day; with ``demonstrate_rejection`` a completion dated
    tomorrow, which progress refuses (``completed_on``: in the future)."""
    week_end = min(course_start + timedelta(days=6), today)

    def report(kind: str, day: date, **fields: Any) -> dict[str, Any]:
        return {"kind": kind, "report_id": f"example-{kind}-{referral_code}-{day.isoformat()}",
                "referral_code": referral_code, **fields}

    reports = [
        report("enrolment", course_start, started_on=course_start.isoformat()),
        report("attendance", course_start, period_start=course_start.isoformat(),
               period_end=week_end.isoformat(), hours_planned=HOURS_PLANNED,
               hours_attended=HOURS_ATTENDED),
        report("exam_result", week_end, exam="dtz", taken_on=week_end.isoformat(),
               passed=True, level_reached="A2",
               skills={"listening": "A2", "reading": "A2", "writing": "A1",
                       "speaking": "A2"}),
    ]
    if demonstrate_rejection:
        tomorrow = today + timedelta(days=1)
        reports.append(report("completion", tomorrow, completed_on=tomorrow.isoformat(),
                              level_reached="A2"))
    return reports


def as_message(provider_id: str, report: dict[str, Any]) -> KafkaMessage:
    """One report as a structured CloudEvent, keyed by its referral code. ``source`` must
    name the provider of the topic; the SDK sets ``id`` (a UUID), ``time`` and
    ``specversion``."""
    event = CloudEvent(attributes={"type": REPORT_TYPE, "source": f"/providers/{provider_id}",
                                   "datacontenttype": "application/json"},
                       data={"report": report})
    return to_structured(event, JSONFormat(),
                         key_mapper=lambda _event: report["referral_code"])


def client_options(arguments: argparse.Namespace) -> dict[str, Any]:
    """aiokafka's connection settings: SCRAM-SHA-512 as the provider's principal, over TLS
    with the county's CA when one is given (production), else in the clear (``make run``,
    on loopback only)."""
    password = Path(arguments.password_file).read_text().strip()
    options: dict[str, Any] = {
        "bootstrap_servers": arguments.bootstrap, "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": arguments.username, "sasl_plain_password": password,
        "security_protocol": "SASL_SSL" if arguments.ca_file else "SASL_PLAINTEXT"}
    if arguments.ca_file:
        options["ssl_context"] = create_ssl_context(cafile=arguments.ca_file)
    return options


async def send(options: dict[str, Any], provider_id: str,
               reports: list[dict[str, Any]]) -> None:
    # Idempotent with acks=all: a retry after a lost acknowledgement writes no second copy
    # and never reorders one participant's reports.
    producer = AIOKafkaProducer(**options, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for report in reports:
            message = as_message(provider_id, report)
            key = message.key.encode() if isinstance(message.key, str) else message.key
            await producer.send_and_wait(reports_topic(provider_id), message.value, key=key,
                                         headers=list(message.headers.items()))
            print(f"sent      {report['kind']:<12} {report['report_id']}", flush=True)
    finally:
        await producer.stop()


def describe(message: KafkaMessage) -> str:
    """One rejection as a line: which report, then each field and why."""
    event = from_structured(message, JSONFormat())
    data = event.get_data()
    if event.get_type() != REJECTION_TYPE or not isinstance(data, dict):
        return f"(not a rejection: {event.get_type()})"
    errors = "; ".join(f"{error['field']}: {error['reason']}" for error in data["errors"])
    return f"rejected  {data.get('report_id')} ({data.get('referral_code')}): {errors}"


async def print_rejections(options: dict[str, Any], provider_id: str, group: str,
                           listen: float) -> int:
    """Every rejection not yet read by ``group``, for ``listen`` seconds; the group's
    committed offsets make the next run start after them. Returns how many there were."""
    consumer = AIOKafkaConsumer(rejections_topic(provider_id), **options, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found = 0
    try:
        deadline = time.monotonic() + listen
        while (left := deadline - time.monotonic()) > 0:
            batches = await consumer.getmany(timeout_ms=int(min(left, 1.0) * 1000))
            for records in batches.values():
                for record in records:
                    message = KafkaMessage(headers=dict(record.headers), key=record.key,
                                           value=record.value or b"")
                    print(describe(message), flush=True)
                    found += 1
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()
    print(f"{found} rejection(s) on {rejections_topic(provider_id)}", flush=True)
    return found


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Send a participant's enrolment, attendance and exam result as a course "
                    "provider's system would, then print the provider's rejections "
                    "(docs/provider-integration.en.md).")
    parser.add_argument("--bootstrap", required=True,
                        help="the county's Kafka bootstrap servers, host:port[,host:port]")
    parser.add_argument("--username", required=True,
                        help="the provider's principal, provider-<provider_id>")
    parser.add_argument("--password-file", required=True,
                        help="the file holding the principal's password (as handed over)")
    parser.add_argument("--ca-file",
                        help="the county's Kafka CA (ca.pem): TLS; leave out for make run")
    parser.add_argument("--provider", required=True, help="the provider id")
    parser.add_argument("--referral-code", required=True,
                        help="the participant's referral code (Vermittlungscode), of a "
                             "placement the provider has confirmed")
    parser.add_argument("--course-start", required=True, type=date.fromisoformat,
                        help="the first day of the course (YYYY-MM-DD): the enrolment's day")
    parser.add_argument("--demonstrate-rejection", action="store_true",
                        help="also send a completion dated tomorrow, which is refused")
    parser.add_argument("--listen", type=float, default=20.0,
                        help="seconds to read the rejections topic (default 20)")
    parser.add_argument("--group", help="consumer group for the rejections (default "
                                        "provider-<provider_id>-example-client)")
    return parser


async def main(argv: list[str]) -> int:
    arguments = arguments_parser().parse_args(argv)
    options = client_options(arguments)
    today = datetime.now(COUNTY_TIME_ZONE).date()
    reports = example_reports(arguments.referral_code, arguments.course_start, today,
                              arguments.demonstrate_rejection)
    await send(options, arguments.provider, reports)
    group = arguments.group or f"provider-{arguments.provider}-example-client"
    await print_rejections(options, arguments.provider, group, arguments.listen)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
