"""``make demo``: a populated Landkreis Heidekreis in the running embedded stack, with a year
behind it.

Everything goes through the services' own front doors, as a county's staff and providers
would use them: the coordinator publishes the course catalogue (assignment API), intake staff
register the arrivals (intake API), assignment places them and the coordinator runs an
allocation, the providers confirm their referrals and report progress — the VHS uploads its
CSV list, one provider's own system writes to the provider topic, the others use the HTTP
batch API. Monitoring then shows the county's figures.

The demo travels through time: it moves the stack's development clock (the file every service
of ``make run`` follows, :class:`ankommen.shared.clock.FileClock`) back about eleven months
and then forward two weeks at a time. At each step it registers that fortnight's arrivals,
runs an allocation (which first brings the courses, offers and minimum rule up to the moved
day), lets the providers confirm most new referrals (some a step late, a few never, so their
offers expire), and sends every report whose day has come, by the course's dates as
assignment shows them (the day turn postpones a course lacking its minimum): enrolments of
confirmed placements only, monthly attendance, interruptions, exams, completions and
dropouts. Before the clock moves on, it waits until monitoring has taken the facts so far (a
fact arriving after its month closed would be held for review). At the
end the clock file is removed and the stack runs on today: past courses have ended with
outcomes, running courses have attendance, upcoming courses have offers.

Loading twice is harmless: on a stack that already has cases, the demo travels nowhere and
says so (remove the data dir, ``var/``, to load afresh).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as datetime_time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from aiokafka import AIOKafkaProducer

from ankommen.shared.clock import COUNTY_TIME, SystemClock, move_clock_file, reset_clock_file
from ankommen.shared.events.contracts.assignment import PlacementMadeFact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportSubmitted,
)
from ankommen.shared.events.envelope import CONTENT_TYPE, Envelope
from ankommen.shared.identity.auth import Role, TokenIssuer
from ankommen.shared.identity.token_keys import load_signing_key
from ankommen.shared.messaging.kafka_access import KafkaAccess, client_options
from ankommen.shared.messaging.kafka_acls import provider_principal
from ankommen.shared.messaging.topics import provider_reports_topic
from ankommen.shared.settings import IssuerSettings, load_settings
from ankommen.shared.stack import service_port
from ankommen.tools.local_broker import local_access
from ankommen.tools.synthetic import DEFAULT_SEED, PROVIDERS, County, county_year, course_life

SERVICES = ("intake", "assignment", "progress", "monitoring")
#: Registrations in flight at once (intake staff at several desks).
CONCURRENCY = 8
#: Rows per CSV upload and reports per HTTP batch (the services' documented limits).
CSV_ROWS = 100_000
BATCH_SIZE = 1_000
GERMAN_KIND = {"enrolment": "Anmeldung", "attendance": "Anwesenheit",
               "interruption": "Unterbrechung", "resumption": "Wiederaufnahme",
               "exam_result": "Prüfung", "completion": "Abschluss",
               "discontinuation": "Abbruch"}


class DemoError(RuntimeError):
    pass


@dataclass
class Stack:
    """Where the services listen and the issuer of the tokens the demo acts with."""

    urls: dict[str, str]
    issuer: TokenIssuer

    @classmethod
    def embedded(cls, settings: IssuerSettings | None = None) -> Stack:
        """The stack of ``make run``: its ports, and tokens signed with the data dir's key
        pair, which its services trust (or with ANKOMMEN_TOKEN_SIGNING_KEY, if set)."""
        settings = settings or load_settings(IssuerSettings)
        return cls({name: f"http://127.0.0.1:{service_port(name)}" for name in SERVICES},
                   TokenIssuer(load_signing_key(settings.resolved_token_signing_key)))

    def headers(self, role: Role, provider_id: str | None = None) -> dict[str, str]:
        token = self.issuer.issue(role, "demo", provider_id=provider_id)
        return {"Authorization": f"Bearer {token}"}


@dataclass
class Summary:
    courses: int = 0
    registered: int = 0
    already_registered: int = 0
    placements: int = 0
    confirmed: int = 0
    #: Confirmations refused because the offer had expired (or was withdrawn) meanwhile.
    too_late: int = 0
    reports: Counter = field(default_factory=Counter)
    rejected: int = 0
    #: Why reports were refused (the first few): what the demo got wrong, to fix it.
    refusals: list[str] = field(default_factory=list)
    #: Reports sent over Kafka that progress had not taken when the demo moved on (refused:
    #: the provider's rejections topic says why).
    not_taken: int = 0
    steps: int = 0
    #: Where the time went, by phase of the steps (seconds).
    seconds: Counter = field(default_factory=Counter)
    #: Facts monitoring held for review instead of counting (late for a closed month).
    held: int = 0
    #: The stack was populated already: nothing was loaded.
    skipped: bool = False


async def eventually(check: Callable[[], Awaitable[bool]], what: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not await check():
        if time.monotonic() > deadline:
            raise DemoError(f"gave up waiting after {limit:.0f} s: {what}")
        await asyncio.sleep(0.5)


async def check_running(client: httpx.AsyncClient, stack: Stack) -> None:
    for name, url in stack.urls.items():
        try:
            response = await client.get(f"{url}/readyz")
        except httpx.HTTPError:
            raise DemoError(f"{name} is not running at {url}: start the stack with `make run` "
                            "first (in another terminal)") from None
        if response.status_code != 200:
            raise DemoError(f"{name} at {url} is not ready: {response.text}")


async def publish_courses(client: httpx.AsyncClient, stack: Stack, region: County,
                          summary: Summary) -> None:
    headers = stack.headers(Role.COORDINATOR)
    for course in region.courses:
        response = await client.post(f"{stack.urls['assignment']}/courses", json=course,
                                     headers=headers)
        if response.status_code == 409:
            continue  # published by an earlier demo load
        response.raise_for_status()
        summary.courses += 1


async def register(client: httpx.AsyncClient, stack: Stack, body: dict[str, Any]) -> str:
    """``registered``, ``known`` (the same file number: loaded before) or raises."""
    url, headers = f"{stack.urls['intake']}/cases", stack.headers(Role.INTAKE_STAFF)
    response = await client.post(url, json=body, headers=headers)
    if response.status_code == 409:
        candidates = response.json().get("candidates", [])
        # Score 1 only for an equal person-level file number; names give less.
        if any(candidate["score"] >= 1.0 for candidate in candidates):
            return "known"
        # Similar names and the same birthday, but another file number: staff check and
        # decide "different person", as they would at the desk.
        response = await client.post(url, json={**body, "resolution": {
            "decision": "different_person"}}, headers=headers)
    if response.status_code != 201:
        raise DemoError(f"registration refused ({response.status_code}): {response.text}")
    return "registered"


async def participants(client: httpx.AsyncClient, stack: Stack, provider_id: str
                       ) -> list[dict[str, Any]]:
    response = await client.get(f"{stack.urls['progress']}/participants",
                                headers=stack.headers(Role.PROVIDER, provider_id))
    response.raise_for_status()
    return response.json()


async def known_cases(client: httpx.AsyncClient, stack: Stack) -> int:
    response = await client.get(f"{stack.urls['progress']}/cases/count",
                                headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    return int(response.json()["count"])


Lists = dict[str, list[dict[str, Any]]]


async def provider_lists(client: httpx.AsyncClient, stack: Stack) -> Lists:
    return {p.provider_id: await participants(client, stack, p.provider_id)
            for p in PROVIDERS}


async def settled_lists(client: httpx.AsyncClient, stack: Stack, limit: float,
                        interval: float = 0.5) -> Lists:
    """The providers' participant lists once they stopped changing (the placements of an
    allocation have reached progress)."""
    def fingerprint(lists: Lists) -> set[tuple[str, str]]:
        return {(entry["referral_code"], entry["placement_status"])
                for entries in lists.values() for entry in entries}

    previous = await provider_lists(client, stack)
    deadline = time.monotonic() + limit
    while True:
        await asyncio.sleep(interval)
        current = await provider_lists(client, stack)
        if fingerprint(current) == fingerprint(previous) or time.monotonic() > deadline:
            return current
        previous = current


async def allocate(client: httpx.AsyncClient, stack: Stack) -> dict[str, Any]:
    response = await client.post(f"{stack.urls['assignment']}/allocations",
                                 json={"dry_run": False},
                                 headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    return response.json()


def csv_list(reports: list[dict[str, Any]]) -> bytes:
    """The VHS's Excel export: German headers, kinds and dates, semicolons, Windows-1252."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Vermittlungscode", "Meldungs-ID", "Art", "Datum", "Von", "Bis",
                     "Stunden anwesend", "Stunden geplant", "Prüfung", "Bestanden", "Niveau",
                     "Grund", "Bemerkung"])

    def german(day: str | None) -> str:
        return date.fromisoformat(day).strftime("%d.%m.%Y") if day else ""

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:g}".replace(".", ",")

    for report in reports:
        day = next((report[key] for key in ("started_on", "interrupted_on", "resumed_on",
                                            "taken_on", "completed_on", "discontinued_on")
                    if key in report), None)
        passed = report.get("passed")
        writer.writerow([report["referral_code"], report["report_id"],
                         GERMAN_KIND[report["kind"]], german(day),
                         german(report.get("period_start")), german(report.get("period_end")),
                         number(report.get("hours_attended")),
                         number(report.get("hours_planned")), report.get("exam", ""),
                         "" if passed is None else ("ja" if passed else "nein"),
                         report.get("level_reached") or "", report.get("reason", ""), ""])
    return out.getvalue().encode("cp1252")


async def report_over_csv(client: httpx.AsyncClient, stack: Stack, provider_id: str,
                          reports: list[dict[str, Any]], summary: Summary) -> None:
    for start in range(0, len(reports), CSV_ROWS):
        chunk = reports[start:start + CSV_ROWS]
        response = await client.post(
            f"{stack.urls['progress']}/reports/csv",
            files={"file": (f"{provider_id}.csv", csv_list(chunk), "text/csv")},
            headers=stack.headers(Role.PROVIDER, provider_id), timeout=300)
        response.raise_for_status()
        rejected = response.json().get("rejected", [])
        summary.rejected += len(rejected)
        summary.refusals.extend(str(row) for row in rejected[:3])


async def report_over_http(client: httpx.AsyncClient, stack: Stack, provider_id: str,
                           reports: list[dict[str, Any]], summary: Summary) -> None:
    for start in range(0, len(reports), BATCH_SIZE):
        response = await client.post(
            f"{stack.urls['progress']}/reports/batch",
            json={"reports": reports[start:start + BATCH_SIZE]},
            headers=stack.headers(Role.PROVIDER, provider_id), timeout=300)
        response.raise_for_status()
        result = response.json()
        summary.rejected += result.get("rejected", 0)
        summary.refusals.extend(str(item) for item in result.get("results", [])
                                if item.get("status") == "rejected")


def provider_message(provider_id: str, report: dict[str, Any]) -> bytes:
    """A report as a provider's system following the CloudEvents Kafka binding sends it: its
    key, the referral code, is also the envelope's ``partitionkey``."""
    return Envelope(type=ProviderReportSubmitted.event_type,
                    source=f"{PROVIDER_SOURCE_PREFIX}{provider_id}",
                    partitionkey=report["referral_code"],
                    data=ProviderReportSubmitted(report=report).model_dump(mode="json")
                    ).to_bytes()


#: How a provider's own system reaches Kafka, by provider id: as its own principal on a
#: secured broker (its ACLs let it write its reports topic and nothing else).
ProviderKafka = Callable[[str], str | KafkaAccess]


def embedded_provider_kafka(data_dir: Path, bootstrap: str) -> ProviderKafka:
    """Each provider as its own principal on ``make run``'s Kafka (its kept password)."""
    return lambda provider_id: local_access(data_dir, bootstrap,
                                            provider_principal(provider_id))


async def report_over_kafka(kafka: ProviderKafka, provider_id: str,
                            reports: list[dict[str, Any]]) -> None:
    producer = AIOKafkaProducer(**client_options(kafka(provider_id)), acks="all",
                                linger_ms=5)
    await producer.start()
    try:
        for report in reports:
            await producer.send(provider_reports_topic(provider_id).name,
                                provider_message(provider_id, report),
                                key=report["referral_code"].encode(),
                                headers=[("content-type", CONTENT_TYPE.encode())])
        await producer.flush()
    finally:
        await producer.stop()


async def send_reports(client: httpx.AsyncClient, stack: Stack, kafka: ProviderKafka,
                       provider_id: str, reports: list[dict[str, Any]],
                       summary: Summary) -> None:
    """Over the provider's own channel: CSV list, its Kafka topic, or the HTTP batch API."""
    if not reports:
        return
    summary.reports.update(report["kind"] for report in reports)
    channel = next(p.channel for p in PROVIDERS if p.provider_id == provider_id)
    if channel == "csv":
        await report_over_csv(client, stack, provider_id, reports, summary)
    elif channel == "kafka":
        await report_over_kafka(kafka, provider_id, reports)
    else:
        await report_over_http(client, stack, provider_id, reports, summary)


#: The fact types whose counting shows the county's figures are in (arrivals, placements).
COUNTED = (ArrivalRecorded.event_type, PlacementMadeFact.event_type)


async def wait_for_monitoring(client: httpx.AsyncClient, stack: Stack, limit: float
                              ) -> tuple[dict[str, int], int]:
    """Wait until monitoring has counted arrivals and placements (its operators' /status, as
    an admin); returns the counts by fact type and how many facts it held for review (a
    fact of a month closed already: none, if the demo kept time)."""
    counted: dict[str, int] = {}
    held = 0

    async def populated() -> bool:
        nonlocal counted, held
        response = await client.get(f"{stack.urls['monitoring']}/status",
                                    headers=stack.headers(Role.ADMIN))
        status = response.json() if response.status_code == 200 else {}
        counted = {row["type"]: row["applied"] for row in status.get("by_type", [])}
        held = int(status.get("facts_held", 0))
        return all(counted.get(fact_type) for fact_type in COUNTED)

    await eventually(populated, "monitoring to count arrivals and placements", limit)
    return counted, held


#: How the demo's providers answer a referral: most confirm at once, some only at the next
#: step (if the offer has not expired by then), a few never (the offer expires and the person
#: goes back to allocation).
CONFIRM_AT_ONCE, CONFIRM_LATE = 0.8, 0.92
#: The providers whose own systems report over Kafka.
KAFKA_PROVIDERS = {p.provider_id for p in PROVIDERS if p.channel == "kafka"}
#: The placement states in which a provider reports about its participant.
REPORTABLE = {"confirmed", "enrolled"}


@dataclass
class Travel:
    """What the demo remembers between the steps of its journey through the year."""

    region: County
    seed: int
    clock_file: Path
    registered: int = 0
    #: The step at which each referral was first seen offered.
    offered_at: dict[str, int] = field(default_factory=dict)
    #: The day each referral was confirmed.
    confirmed_on: dict[str, date] = field(default_factory=dict)
    #: Each confirmed participant's reports with their days, and how many were sent.
    lives: dict[str, list[tuple[date, dict[str, Any]]]] = field(default_factory=dict)
    #: The course dates each participant's reports were planned for.
    planned_for: dict[str, tuple[str, str]] = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)

    def answer(self, code: str) -> float:
        """The provider's mood about one referral, the same on every load (seeded)."""
        return random.Random(f"{self.seed}:{code}").random()


def step_days(first_day: date, today: date, per_month: int) -> list[date]:
    """The days the demo stops at: ``first_day``, the first of every month after it (and the
    15th, with two steps a month), and ``today``. Stopping on the first of a month sends every
    report about the month before while that month is still open in monitoring (it closes
    some days after its end, and a closed month takes no late facts: docs/monitoring.md)."""
    days, day = [first_day], first_day
    while True:
        day = (day.replace(day=15) if per_month == 2 and day.day < 15
               else (day.replace(day=28) + timedelta(days=4)).replace(day=1))
        if day >= today:
            return [*days, today]
        days.append(day)


async def confirm_referrals(client: httpx.AsyncClient, stack: Stack, travel: Travel,
                            number: int, day: date, lists: Lists, summary: Summary) -> None:
    """The providers confirm today what they decided to (see :data:`CONFIRM_AT_ONCE`)."""
    due: list[tuple[str, str]] = []
    for provider_id, entries in lists.items():
        for entry in entries:
            if entry["placement_status"] != "offered":
                continue
            code = entry["referral_code"]
            first = travel.offered_at.setdefault(code, number)
            answer = travel.answer(code)
            if (first == number and answer < CONFIRM_AT_ONCE) or \
                    (first == number - 1 and CONFIRM_AT_ONCE <= answer < CONFIRM_LATE):
                due.append((provider_id, code))
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(provider_id: str, code: str) -> None:
        async with gate:
            response = await client.post(
                f"{stack.urls['assignment']}/referrals/{code}/confirm",
                headers=stack.headers(Role.PROVIDER, provider_id))
        if response.status_code == 200:
            summary.confirmed += 1
            travel.confirmed_on[code] = day
        elif response.status_code == 409:  # expired or withdrawn meanwhile: too late
            summary.too_late += 1
        else:
            raise DemoError(f"confirming a referral failed ({response.status_code}): "
                            f"{response.text}")

    await asyncio.gather(*(one(*item) for item in due))


async def report_due(client: httpx.AsyncClient, stack: Stack, kafka: ProviderKafka,
                     travel: Travel, day: date, lists: Lists, summary: Summary,
                     limit: float) -> None:
    """Each provider sends the reports whose day has come, for participants it confirmed."""
    response = await client.get(f"{stack.urls['assignment']}/courses",
                                headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    courses = {course["course_id"]: course for course in response.json()}
    for provider_id, entries in lists.items():
        due: list[dict[str, Any]] = []
        for entry in entries:
            code = entry["referral_code"]
            if entry["placement_status"] not in REPORTABLE:
                continue
            # The course as assignment shows it now: the day turn postpones a course that
            # lacks its minimum by its start. Planned again while nothing was sent yet.
            course = courses[entry["course_id"]]
            dates = (course["starts_on"], course["ends_on"])
            if code not in travel.lives or (travel.planned_for[code] != dates
                                            and not travel.sent[code]):
                travel.lives[code] = course_life(
                    random.Random(f"{travel.seed}:{code}:life"), code, course,
                    travel.confirmed_on.get(code, day))
                travel.planned_for[code] = dates
            life = travel.lives[code]
            ready = [report for when, report in life[travel.sent[code]:] if when <= day]
            travel.sent[code] += len(ready)
            due.extend(ready)
        await send_reports(client, stack, kafka, provider_id, due, summary)
        if due and provider_id in KAFKA_PROVIDERS:
            summary.not_taken += await until_received(client, stack, provider_id, due,
                                                      min(limit, KAFKA_WAIT))


async def until_received(client: httpx.AsyncClient, stack: Stack, provider_id: str,
                         reports: list[dict[str, Any]], limit: float) -> int:
    """Reports sent over Kafka are taken in asynchronously: wait until progress has each
    participant's last one, so that none is judged on a later day of the clock. A report
    progress refuses never appears (the refusal goes to the provider's rejections topic), so
    the wait ends after ``limit`` at most; returns how many participants' reports were not
    taken by then."""
    last = {report["referral_code"]: report["report_id"] for report in reports}
    headers = stack.headers(Role.PROVIDER, provider_id)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def received(code: str, report_id: str) -> bool:
        async with gate:
            response = await client.get(
                f"{stack.urls['progress']}/participants/{code}/reports", headers=headers)
        return response.status_code == 200 and any(
            entry["report_id"] == report_id for entry in response.json()["entries"])

    deadline = time.monotonic() + limit
    while last and time.monotonic() < deadline:
        done = await asyncio.gather(*(received(*item) for item in last.items()))
        for code, ok in zip(list(last), done, strict=True):
            if ok:
                del last[code]
        if last:
            await asyncio.sleep(0.5)
    return len(last)


#: How long the demo waits for progress to take a step's reports over Kafka, and for
#: monitoring to catch up before the clock moves on (seconds).
KAFKA_WAIT, MONITORING_WAIT = 20.0, 60.0


async def until_monitoring_caught_up(client: httpx.AsyncClient, stack: Stack,
                                     limit: float) -> None:
    """Monitoring has taken every fact published so far (no consumer lag, and nothing new
    for a moment): before the clock moves on, so that no fact of a month arrives after the
    month has closed (it would be held for review, docs/monitoring.md)."""
    previous: int | None = None

    async def caught_up() -> bool:
        nonlocal previous
        response = await client.get(f"{stack.urls['monitoring']}/status",
                                    headers=stack.headers(Role.ADMIN))
        if response.status_code != 200:
            return False
        status = response.json()
        processed, before = status["facts_processed"], previous
        previous = processed
        if status["consumer_lag"] == 0 and processed == before:
            return True
        await asyncio.sleep(0.2)
        return False

    # If monitoring lags (or cannot tell its lag), the demo moves on: a late fact is held,
    # and counted in the summary.
    with contextlib.suppress(DemoError):
        await eventually(caught_up, "monitoring to take the facts published so far",
                         min(limit, MONITORING_WAIT))


def clock_instant(day: date) -> datetime:
    """Nine in the morning of ``day`` in the county: the working day the demo acts on."""
    return datetime.combine(day, datetime_time(9), tzinfo=COUNTY_TIME)


async def travel_step(client: httpx.AsyncClient, stack: Stack, kafka: ProviderKafka,
                      travel: Travel, number: int, day: date, last: bool, limit: float,
                      summary: Summary) -> None:
    mark = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal mark
        summary.seconds[phase] += time.monotonic() - mark
        mark = time.monotonic()

    if number:
        await until_monitoring_caught_up(client, stack, limit)
        lap("monitoring")
    if last:
        reset_clock_file(travel.clock_file)  # back to the system clock, for good
    else:
        move_clock_file(travel.clock_file, clock_instant(day))
    arrivals = [arrival for arrival in travel.region.arrivals
                if arrival.registered_on <= day][travel.registered:]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(body: dict[str, Any]) -> str:
        async with gate:
            return await register(client, stack, body)

    # Registered on the day the clock shows: the staff register whoever came since the last
    # step, today (and monitoring counts them in a month that is still open).
    outcomes = Counter(await asyncio.gather(*(one({**a.body(), "registered_on": day.isoformat()})
                                              for a in arrivals)))
    travel.registered += len(arrivals)
    summary.registered += outcomes["registered"]
    summary.already_registered += outcomes["known"]

    async def cases_known() -> bool:
        return await known_cases(client, stack) >= travel.registered

    lap("register")
    await eventually(cases_known, "progress to learn every registered case", limit)
    lap("cases")
    # The day turn (courses by their dates, the minimum rule, expired offers), then seats.
    await allocate(client, stack)
    lap("allocate")
    lists = await settled_lists(client, stack, limit)
    lap("placements")
    # Reports only for placements progress already shows confirmed (it takes an enrolment
    # for nothing else): those confirmed now are reported from the next step on, with their
    # days — a provider's list comes in a little after the confirmation.
    await report_due(client, stack, kafka, travel, day, lists, summary, limit)
    lap("report")
    await confirm_referrals(client, stack, travel, number, day, lists, summary)
    lap("confirm")


async def load(stack: Stack, kafka: ProviderKafka, *, people: int, courses: int, seed: int,
               clock_file: Path, months: int = 11, steps_per_month: int = 2,
               wait_limit: float = 600, say: Callable[[str], None] = print) -> Summary:
    """Travel through the county's last ``months`` in the running stack; returns what was
    done. The stack's clock follows ``clock_file``, which is removed at the end (also when
    the journey fails or is interrupted)."""
    summary = Summary()
    today = SystemClock().today()
    first_day = today.replace(day=1)
    for _ in range(months):
        first_day = (first_day - timedelta(days=1)).replace(day=1)
    region = county_year(people, courses, first_day, today, seed)
    async with httpx.AsyncClient(timeout=60) as client:
        await check_running(client, stack)
        if await known_cases(client, stack):
            reset_clock_file(clock_file)
            say("the county is loaded already: no time travel on a populated stack (remove "
                "the data dir, var/, and restart `make run` to load afresh)")
            summary.skipped = True
            return summary
        started = time.monotonic()
        travel = Travel(region, seed, clock_file)
        days = step_days(first_day, today, steps_per_month)
        try:
            move_clock_file(clock_file, clock_instant(first_day))
            await publish_courses(client, stack, region, summary)
            say(f"{first_day}: courses published: {summary.courses} of {len(region.courses)}")
            for number, day in enumerate(days):
                await travel_step(client, stack, kafka, travel, number, day,
                                  number == len(days) - 1, wait_limit, summary)
                if day.day == 1 or number == len(days) - 1:
                    say(f"{day}: registered {summary.registered}, confirmed "
                        f"{summary.confirmed}, reports {sum(summary.reports.values())} "
                        f"({time.monotonic() - started:.0f} s)")
            # The last confirmations reach progress; enrolments due today go out.
            await report_due(client, stack, kafka, travel, today,
                             await settled_lists(client, stack, wait_limit), summary,
                             wait_limit)
        finally:
            reset_clock_file(clock_file)
        lists = await provider_lists(client, stack)
        summary.placements = sum(len(entries) for entries in lists.values())
        summary.steps = len(days)
        say(f"placements: {summary.placements}, confirmed by providers: {summary.confirmed} "
            f"(too late: {summary.too_late})")
        say(f"progress reports sent: {sum(summary.reports.values())} "
            f"({', '.join(f'{k} {n}' for k, n in sorted(summary.reports.items()))}); "
            f"refused: {summary.rejected}"
            + (f" (e.g. {'; '.join(summary.refusals[:3])})" if summary.refusals else "")
            + (f"; over Kafka, not taken by progress: {summary.not_taken}"
               if summary.not_taken else ""))
        counted, summary.held = await wait_for_monitoring(client, stack, wait_limit)
        say("monitoring counted: " + ", ".join(
            f"{fact_type.split('.')[2]} {counted.get(fact_type, 0)}" for fact_type in COUNTED)
            + f", held for review: {summary.held} — {months} months travelled in "
            f"{time.monotonic() - started:.0f} s ({len(days)} steps: "
            + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in summary.seconds.items())
            + "); the stack runs on today again")
    return summary


#: Arrivals per course of the year's catalogue: enough seats that a year's arrivals mostly
#: find one and a person registered after the demo finds a course with room (at 21 a course,
#: the demo's year ended with half its people waiting for a full course).
PEOPLE_PER_COURSE = 14


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def run(people: Annotated[int, typer.Option(min=1, help="Arrivals to register")] = 1500,
        courses: Annotated[int | None, typer.Option(
            min=1, help="Courses in the catalogue (default: one per 14 arrivals)")] = None,
        seed: Annotated[int, typer.Option(help="Random seed")] = DEFAULT_SEED) -> None:
    """Load a populated Landkreis Heidekreis into the running stack (`make run`)."""
    settings = load_settings(IssuerSettings)
    stack = Stack.embedded(settings)
    try:
        # The providers' systems, played by the demo, each signed in as its own principal
        # (or as whoever ANKOMMEN_KAFKA_USERNAME names).
        kafka: ProviderKafka = (
            (lambda _: settings.kafka) if settings.kafka.authenticated
            else embedded_provider_kafka(settings.data_dir, settings.kafka_bootstrap_servers))
        asyncio.run(load(stack, kafka, people=people,
                         courses=courses or max(1, people // PEOPLE_PER_COURSE), seed=seed,
                         clock_file=settings.embedded_clock_file, say=typer.echo))
    except DemoError as error:
        typer.echo(f"demo: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"\nOpen the dashboard: {stack.urls['monitoring']}/  ·  intake "
               f"{stack.urls['intake']}/  ·  coordinator {stack.urls['assignment']}/ui/courses"
               f"  ·  provider {stack.urls['progress']}/\nSign in to the staff pages at the "
               "development identity provider as intake, koordination or traeger-vhs "
               "(password entwicklung), or without it with `ankommen token coordinator` (or "
               "intake_staff, `provider --provider-id vhs-heidekreis`).")


def main() -> None:  # pragma: no cover - console entry point
    cli()
