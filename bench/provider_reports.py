"""What B2 and B7 feed progress: a provider's running courses and placements, announced on
assignment's topics as assignment would, and a year of weekly reports per participant (an
enrolment, then one attendance report per week) — sent on the provider's own topic or uploaded as
the provider's Excel export. Effects are counted in progress's database and on its topics."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from typing import Any

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import (
    Course,
    CoursePublished,
    CourseStatus,
    PlacementConfirmed,
    PlacementOffered,
)
from ankommen.shared.messaging.topics import provider_reports_topic
from ankommen.tools.demo import provider_message
from bench.harness import KAFKA_PROVIDER, produce
from bench.stack import scalar, wait_until, watching

PROVIDER = KAFKA_PROVIDER
SEATS = 25
STARTS_ON = date.today() - timedelta(days=364)
#: A full-time course: 25 hours a week for a year.
WEEKLY_HOURS = 25


def courses(count: int) -> list[Course]:
    return [Course(course_id=f"bench-{uuid.uuid4().hex[:10]}", provider_id=PROVIDER,
                   title="Integrationskurs Soltau (Vollzeit)",
                   course_type="general_integration", entry_level="A1", target_level="B1",
                   region_key="03358021", mode="in_person", schedule=["mornings"],
                   starts_on=STARTS_ON, ends_on=STARTS_ON + timedelta(days=400),
                   hours=WEEKLY_HOURS * 58, capacity=SEATS, minimum_participants=5,
                   status=CourseStatus.RUNNING) for _ in range(count)]


def referral_code() -> str:
    return "REF-" + secrets.token_hex(5).upper()


async def announce_placements(bootstrap: str, people: int) -> list[str]:
    """Courses for ``people`` and a placement per person on assignment's topics; returns
    the referral codes."""
    catalogue = courses(-(-people // SEATS))
    codes = [referral_code() for _ in range(people)]
    course_messages = [(course.course_id.encode(), registry.envelope(
        CoursePublished(course=course), source="/ankommen/assignment").to_bytes())
        for course in catalogue]
    placement_messages = []
    for number, code in enumerate(codes):
        course = catalogue[number // SEATS]
        pseudonym = secrets.token_urlsafe(24)
        placement = {"placement_id": uuid.uuid4().hex, "pseudonym": pseudonym,
                     "referral_code": code, "course_id": course.course_id,
                     "provider_id": PROVIDER}
        # Offered and confirmed: a provider enrols only confirmed placements.
        for event in (PlacementOffered(**placement, offered_on=STARTS_ON),
                      PlacementConfirmed(**placement)):
            placement_messages.append((pseudonym.encode(), registry.envelope(
                event, source="/ankommen/assignment").to_bytes()))
    await produce(bootstrap, CoursePublished.topic, course_messages)
    await produce(bootstrap, PlacementOffered.topic, placement_messages)
    return codes


def reports(code: str, count: int) -> list[dict[str, Any]]:
    """An enrolment and ``count - 1`` weekly attendance reports (at most 52)."""
    out = [{"report_id": f"{code}-00", "referral_code": code, "kind": "enrolment",
            "started_on": (STARTS_ON + timedelta(days=1)).isoformat()}]
    for week in range(count - 1):
        first = STARTS_ON + timedelta(days=1 + 7 * week)
        out.append({"report_id": f"{code}-{week + 1:02d}", "referral_code": code,
                    "kind": "attendance", "period_start": first.isoformat(),
                    "period_end": (first + timedelta(days=6)).isoformat(),
                    "hours_attended": WEEKLY_HOURS - week % 4, "hours_planned": WEEKLY_HOURS})
    return out


def messages(all_reports: list[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    """The provider's topic's messages (key = referral code)."""
    return [(report["referral_code"].encode(), provider_message(PROVIDER, report))
            for report in all_reports]


STORED = "SELECT count(*) FROM reports"
UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
#: How often :func:`ingest` looks whether progress is done: small against the seconds
#: measured (issue 21: 100 ms against 5,000 reports in ~1.5 s was noise).
POLL_SECONDS = 0.02


async def stored_reports(database_url: str) -> int:
    return await scalar(database_url, STORED)


async def unpublished(database_url: str) -> int:
    return await scalar(database_url, UNPUBLISHED)


async def known_placements(database_url: str) -> int:
    return await scalar(database_url,
                        "SELECT count(*) FROM placements WHERE status = 'confirmed'")


async def wait_for_placements(database_url: str, people: int, limit: float = 600) -> None:
    async def known() -> bool:
        return await known_placements(database_url) >= people

    await wait_until(known, f"progress to know {people} placements", limit, interval=0.5)


async def ingest(bootstrap: str, database_url: str, all_reports: list[dict[str, Any]],
                 already: int, limit: float = 900) -> tuple[float, float]:
    """Produce the reports on the provider's topic (raw aiokafka, timed as well) while
    progress consumes them; returns (production seconds, seconds until every report is
    stored and every outbox row published)."""
    import time

    expected = already + len(all_reports)
    # The connection that watches is open before the clock starts.
    async with watching(database_url) as read:
        async def done() -> bool:
            return await read(STORED) >= expected and await read(UNPUBLISHED) == 0

        started = time.monotonic()
        produced = await produce(bootstrap, provider_reports_topic(PROVIDER).name,
                                 messages(all_reports))
        finished = await wait_until(done, f"{len(all_reports)} reports stored and published",
                                    limit, interval=POLL_SECONDS)
    return produced, finished - started
