"""``make demo``: a populated Landkreis Heidekreis in the running embedded stack.

Everything goes through the services' own front doors, as a county's staff and providers
would use them: the coordinator publishes the course catalogue (assignment API), intake staff
register the arrivals (intake API), assignment places them as they arrive and the coordinator
runs one more allocation, the providers confirm their referrals and report progress — the VHS
uploads its CSV list, one provider's own system writes to the provider topic, the others use
the HTTP batch API. Monitoring then shows the county's figures.

Loading twice is harmless: courses already published and people already registered (same
federal file number) are skipped, reports are idempotent by their ids.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from aiokafka import AIOKafkaProducer

from ankommen.shared.auth import Role, TokenIssuer
from ankommen.shared.embedded import service_port
from ankommen.shared.events.contracts.assignment import PlacementMadeFact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import (
    PROVIDER_SOURCE_PREFIX,
    ProviderReportSubmitted,
)
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.kafka_access import KafkaAccess, client_options
from ankommen.shared.kafka_acls import provider_principal
from ankommen.shared.local_broker import local_access
from ankommen.shared.settings import IssuerSettings, load_settings
from ankommen.shared.token_keys import load_signing_key
from ankommen.shared.topics import provider_reports_topic
from ankommen.tools.synthetic import DEFAULT_SEED, PROVIDERS, County, county, reports_for

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


def local_today() -> date:
    """The services' today: the machine's local date, which intake checks dates against
    ("must not be in the future"). A Berlin date here was a day ahead of a UTC machine's
    services between 23:00 and midnight UTC, and every registration was refused."""
    return date.today()


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
    reports: Counter = field(default_factory=Counter)
    rejected: int = 0


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
        if any(candidate["score"] >= 0.999 for candidate in candidates):
            return "known"
        # Similar names and the same birthday, but another file number: staff check and
        # decide "different person", as they would at the desk.
        response = await client.post(url, json={**body, "resolution": {
            "decision": "different_person"}}, headers=headers)
    if response.status_code != 201:
        raise DemoError(f"registration refused ({response.status_code}): {response.text}")
    return "registered"


async def register_all(client: httpx.AsyncClient, stack: Stack, region: County,
                       summary: Summary) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(body: dict[str, Any]) -> str:
        async with gate:
            return await register(client, stack, body)

    outcomes = Counter(await asyncio.gather(*(one(a.body()) for a in region.arrivals)))
    summary.registered, summary.already_registered = outcomes["registered"], outcomes["known"]


async def participants(client: httpx.AsyncClient, stack: Stack, provider_id: str
                       ) -> list[dict[str, Any]]:
    response = await client.get(f"{stack.urls['progress']}/participants",
                                headers=stack.headers(Role.PROVIDER, provider_id))
    response.raise_for_status()
    return response.json()


async def wait_for_placements(client: httpx.AsyncClient, stack: Stack, expected_cases: int,
                              limit: float) -> dict[str, list[dict[str, Any]]]:
    """Progress knows every case and the providers' participant lists have settled."""
    headers = stack.headers(Role.COORDINATOR)

    async def all_cases_known() -> bool:
        response = await client.get(f"{stack.urls['progress']}/cases/count", headers=headers)
        return response.status_code == 200 and response.json()["count"] >= expected_cases

    await eventually(all_cases_known, "progress to learn every registered case", limit)
    previous: dict[str, int] | None = None
    deadline = time.monotonic() + limit
    while True:
        lists = {p.provider_id: await participants(client, stack, p.provider_id)
                 for p in PROVIDERS}
        counts = {provider: len(found) for provider, found in lists.items()}
        if counts == previous or time.monotonic() > deadline:
            return lists
        previous = counts
        await asyncio.sleep(3)


async def allocate(client: httpx.AsyncClient, stack: Stack) -> dict[str, Any]:
    response = await client.post(f"{stack.urls['assignment']}/allocations",
                                 json={"dry_run": False},
                                 headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    return response.json()


async def confirm(client: httpx.AsyncClient, stack: Stack, rng: random.Random,
                  lists: dict[str, list[dict[str, Any]]], summary: Summary) -> None:
    """Providers confirm nine in ten referrals (the others are still being contacted)."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(provider_id: str, code: str) -> None:
        async with gate:
            response = await client.post(
                f"{stack.urls['assignment']}/referrals/{code}/confirm",
                headers=stack.headers(Role.PROVIDER, provider_id))
        if response.status_code == 200:
            summary.confirmed += 1
        elif response.status_code != 409:  # 409: already confirmed by an earlier load
            raise DemoError(f"confirming a referral failed ({response.status_code}): "
                            f"{response.text}")

    await asyncio.gather(*(one(provider, entry["referral_code"])
                           for provider, entries in lists.items() for entry in entries
                           if entry["placement_status"] == "offered" and rng.random() < 0.9))


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
        summary.rejected += len(response.json().get("rejected", []))


async def report_over_http(client: httpx.AsyncClient, stack: Stack, provider_id: str,
                           reports: list[dict[str, Any]], summary: Summary) -> None:
    for start in range(0, len(reports), BATCH_SIZE):
        response = await client.post(
            f"{stack.urls['progress']}/reports/batch",
            json={"reports": reports[start:start + BATCH_SIZE]},
            headers=stack.headers(Role.PROVIDER, provider_id), timeout=300)
        response.raise_for_status()
        summary.rejected += response.json().get("rejected", 0)


def provider_message(provider_id: str, report: dict[str, Any]) -> bytes:
    return Envelope(type=ProviderReportSubmitted.event_type,
                    source=f"{PROVIDER_SOURCE_PREFIX}{provider_id}",
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
                                key=report["referral_code"].encode())
        await producer.flush()
    finally:
        await producer.stop()


async def report_progress(client: httpx.AsyncClient, stack: Stack, kafka: ProviderKafka,
                          region: County, rng: random.Random,
                          lists: dict[str, list[dict[str, Any]]], summary: Summary) -> None:
    for provider in PROVIDERS:
        reports = [report for entry in lists[provider.provider_id]
                   if entry["placement_status"] in ("offered", "confirmed")
                   for report in reports_for(rng, entry["referral_code"],
                                             region.course(entry["course_id"]), region.today)]
        summary.reports.update(report["kind"] for report in reports)
        if provider.channel == "csv":
            await report_over_csv(client, stack, provider.provider_id, reports, summary)
        elif provider.channel == "kafka":
            await report_over_kafka(kafka, provider.provider_id, reports)
        else:
            await report_over_http(client, stack, provider.provider_id, reports, summary)


#: The fact types whose counting shows the county's figures are in (arrivals, placements).
#: Course outcomes are not awaited: people are placed today, in courses open for entry, so
#: only the few who drop out of a running course yield one (issue 16: no offers in ended
#: courses, hence no completions until the demo can place people in the past).
COUNTED = (ArrivalRecorded.event_type, PlacementMadeFact.event_type)


async def wait_for_monitoring(client: httpx.AsyncClient, stack: Stack, limit: float
                              ) -> dict[str, int]:
    """Wait until monitoring has counted arrivals, placements and course outcomes (its
    operators' /status, as an admin). They are in the open month, whose figures are published
    only once it has closed — so the public figures cannot show them yet."""
    counted: dict[str, int] = {}

    async def populated() -> bool:
        nonlocal counted
        response = await client.get(f"{stack.urls['monitoring']}/status",
                                    headers=stack.headers(Role.ADMIN))
        rows = response.json().get("by_type", []) if response.status_code == 200 else []
        counted = {row["type"]: row["applied"] for row in rows}
        return all(counted.get(fact_type) for fact_type in COUNTED)

    await eventually(populated, "monitoring to count arrivals and placements",
                     limit)
    return counted


async def publication_day(client: httpx.AsyncClient, stack: Stack) -> str:
    """The day this month's figures appear on the dashboard: its end plus the grace days."""
    catalogue = (await client.get(f"{stack.urls['monitoring']}/statistics")).json()
    grace = int(catalogue["disclosure"]["closed_month_grace_days"])
    today = datetime.now(UTC).date()
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return (next_month + timedelta(days=grace)).isoformat()


async def load(stack: Stack, kafka: ProviderKafka, *, people: int, courses: int, seed: int,
               today: date | None = None, wait_limit: float = 600,
               say: Callable[[str], None] = print) -> Summary:
    """Load the synthetic county into the running stack; returns what was done."""
    region = county(people, courses, today or local_today(), seed)
    rng = random.Random(seed + 1)
    summary = Summary()
    async with httpx.AsyncClient(timeout=60) as client:
        await check_running(client, stack)
        started = time.monotonic()
        await publish_courses(client, stack, region, summary)
        say(f"courses published: {summary.courses} of {len(region.courses)}")
        await register_all(client, stack, region, summary)
        say(f"arrivals registered: {summary.registered} (already there: "
            f"{summary.already_registered})")
        lists = await wait_for_placements(client, stack,
                                          summary.registered + summary.already_registered,
                                          wait_limit)
        result = await allocate(client, stack)
        say(f"allocation run: {len(result.get('placements', []))} more placements")
        lists = await wait_for_placements(client, stack, 0, wait_limit)
        summary.placements = sum(len(entries) for entries in lists.values())
        await confirm(client, stack, rng, lists, summary)
        say(f"placements: {summary.placements}, confirmed by providers: {summary.confirmed}")
        await report_progress(client, stack, kafka, region, rng, lists, summary)
        say(f"progress reports sent: {sum(summary.reports.values())} "
            f"({', '.join(f'{k} {n}' for k, n in sorted(summary.reports.items()))}); "
            f"refused: {summary.rejected}")
        counted = await wait_for_monitoring(client, stack, wait_limit)
        say("monitoring counted: " + ", ".join(
            f"{fact_type.split('.')[2]} {counted.get(fact_type, 0)}" for fact_type in COUNTED)
            + f" — loaded in {time.monotonic() - started:.0f} s; this month's figures are "
            f"published on {await publication_day(client, stack)} (closed months only)")
    return summary


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def run(people: Annotated[int, typer.Option(min=1, help="Arrivals to register")] = 1500,
        courses: Annotated[int, typer.Option(min=1, help="Courses in the catalogue")] = 70,
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
                         courses=courses, seed=seed, say=typer.echo))
    except DemoError as error:
        typer.echo(f"demo: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"\nOpen the dashboard: {stack.urls['monitoring']}/  ·  intake "
               f"{stack.urls['intake']}/  ·  coordinator {stack.urls['assignment']}/ui/courses"
               f"  ·  provider {stack.urls['progress']}/\nSign in to the staff pages with "
               "`ankommen token coordinator` (or intake_staff, `provider --provider-id "
               "vhs-heidekreis`).")


def main() -> None:  # pragma: no cover - console entry point
    cli()
