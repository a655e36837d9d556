"""A simulated county year (issue 16, item 7): the four services in process over the real
broker, one movable clock, and seeded actors who use only the services' front doors.

Every test so far checks a moment; this one checks that the system *stays* right while days
pass. Each simulated day: the coordinator publishes, approves, changes or cancels courses
(assignment's API), people arrive (intake's API), providers confirm offers on time, late or
never, decline, enrol on the start day, report attendance monthly, interruptions, exams,
completions and dropouts (assignment's and progress's APIs); then the coordinator's allocation
brings assignment's state up to the day (the day turn) and allocates, and the day ends when
every event has flowed (:meth:`County.settle`). Then :class:`Checker` reads the services'
databases and APIs and records every broken invariant; the tests assert there is none.

The checker's rules are written here, independently of the services' own code, so that a bug
in a rule of a service shows as a violation instead of being reproduced by the check (the
short test that removes the date check from eligibility proves one of them can fail).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, select

from ankommen.assignment.adapters import tables as assignment_tables
from ankommen.assignment.domain.courses import Applicant, Seats
from ankommen.assignment.domain.eligibility import (
    needs_childcare_place,
    seat_outcomes,
    structurally_eligible,
)
from ankommen.assignment.service.allocation import applicants
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.shared.clock import MovableClock
from ankommen.shared.identity.auth import Role
from tests.support.polling import eventually
from tests.support.services import RunningService, connected, in_process
from tests.support.surveys import invented_name, registration
from tests.support.tokens import bearer

SERVICES = ("intake", "assignment", "progress", "monitoring")
DISTRICT = "03358"
MUNICIPALITIES = ("03358021", "03358024", "03358023")  # Soltau, Walsrode, Wietzendorf
PROVIDERS = ("vhs-heidekreis", "bildungswerk-soltau", "sprachschule-walsrode")
#: Monitoring without noise, suppression or waiting for a month to close: exact counts to
#: compare with the simulation's own record.
EXACT = PublicationRules(min_population=0, protect_zeros=False, closed_only=False,
                         complement=False)
ACTIVE = {"offered", "confirmed", "enrolled"}
ENDED_PLACEMENT = {"declined", "withdrawn", "expired"}
ANSWERED = {"confirm": "confirmed", "decline": "declined"}

#: Batch consumers poll often: a day's events flow in a few short hops instead of a fifth of
#: a second each (the services' default suits an idle county, not 365 days in a minute).
BATCH_WAIT_MS = 10

COORDINATOR = bearer(Role.COORDINATOR)
INTAKE_STAFF = bearer(Role.INTAKE_STAFF)


def provider_token(provider_id: str) -> dict[str, str]:
    return bearer(Role.PROVIDER, provider_id=provider_id)


def morning(day: date) -> datetime:
    """09:00 or 10:00 in the county (08:00 UTC): well inside the county's ``day``."""
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC)


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def entry_deadline(course: dict[str, Any]) -> date:
    """The last day a course takes newcomers, as the docs state it (docs/assignment.md):
    ``entry_until``, else the start plus a quarter of the duration. Written here again on
    purpose: the check must not share the code it checks."""
    starts, ends = _day(course["starts_on"]), _day(course["ends_on"])
    if course.get("entry_until"):
        return _day(course["entry_until"])
    return starts + (ends - starts) // 4


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def open_for_entry_on(course: dict[str, Any], day: date) -> bool:
    return day <= entry_deadline(course) and day < _day(course["ends_on"])


# --- the simulation's own record ----------------------------------------------------------


@dataclass
class Participation:
    """What a provider knows of one referral code, and what it decided to do with it."""

    referral_code: str
    course_id: str
    provider_id: str
    seen_on: date
    #: offered | confirmed | enrolled | interrupted | completed | discontinued | gone
    state: str = "offered"
    #: The day the provider answers the offer (confirm or decline); None: never.
    answer_on: date | None = None
    answer: str = "confirm"
    no_show: bool = False
    confirmed_on: date | None = None
    enrolled_on: date | None = None
    attended_until: date | None = None
    resume_on: date | None = None


@dataclass
class Record:
    """What the simulation did and saw: the basis of the expected monitoring figures."""

    arrivals: Counter[str] = field(default_factory=Counter)
    offers: Counter[str] = field(default_factory=Counter)
    completions: Counter[str] = field(default_factory=Counter)
    discontinuations: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)


@dataclass
class Scale:
    people: int
    days: int
    seed: int = 16
    #: Course lengths to choose from (weeks).
    weeks: tuple[int, ...] = (12, 16, 20, 26)


# --- the running county -------------------------------------------------------------------


class County:
    """The four services, the clock, and the means to tell when the events have flowed."""

    def __init__(self, system: dict[str, RunningService], clock: MovableClock,
                 bootstrap: str) -> None:
        self.system = system
        self.clock = clock
        self.bootstrap = bootstrap
        self._admin: AIOKafkaAdminClient | None = None
        self._ends: AIOKafkaConsumer | None = None
        self._groups = [(consumer.group_id, consumer.topic.name)
                        for running in system.values()
                        for consumer in running.runtime.consumers
                        if consumer.topic.pattern is None]
        self._partitions: dict[str, list[TopicPartition]] = {}
        self.settle_seconds = 0.0
        self.probes = 0
        self.probe_seconds: Counter[str] = Counter()

    @property
    def today(self) -> date:
        return self.clock.today()

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await self._admin.start()
        self._ends = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await self._ends.start()
        described = await self._admin.describe_topics()
        for topic in described:
            self._partitions[topic["topic"]] = [
                TopicPartition(topic["topic"], partition["partition"])
                for partition in topic["partitions"]]
        for running in self.system.values():
            await eventually(lambda running=running: running.client.get("/readyz"),
                             until=connected, timeout=60, what=f"{running.name} connected")

    async def stop(self) -> None:
        if self._ends is not None:
            await self._ends.stop()
        if self._admin is not None:
            await self._admin.close()

    async def _outboxes(self) -> tuple[int, int]:
        """(rows not yet published, highest row id) summed over the four outboxes."""
        async def one(running: RunningService) -> tuple[int, int]:
            outbox = running.runtime.definition.tables.outbox
            async with running.runtime.sessions() as session:
                row = (await session.execute(select(
                    func.count().filter(outbox.c.published_at.is_(None)),
                    func.coalesce(func.max(outbox.c.id), 0)))).one()
            return row[0], row[1]

        found = await asyncio.gather(*(one(running) for running in self.system.values()))
        return sum(pending for pending, _ in found), sum(highest for _, highest in found)

    async def _lag(self) -> int:
        """Messages not yet acknowledged by the consumer group that must read them (a group
        acknowledges only after its transaction committed)."""
        assert self._admin is not None and self._ends is not None
        wanted = [tp for _, topic in self._groups for tp in self._partitions.get(topic, [])]
        ends, *committed = await asyncio.gather(
            self._ends.end_offsets(wanted),
            *(self._admin.list_consumer_group_offsets(group) for group, _ in self._groups))
        lag = 0
        for (_, topic), offsets in zip(self._groups, committed, strict=True):
            for tp in self._partitions.get(topic, []):
                done = offsets.get(tp)
                lag += ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
        return lag

    async def dead_letters(self) -> int:
        assert self._ends is not None
        wanted = [tp for name, tps in self._partitions.items() if name.endswith(".dlq")
                  for tp in tps]
        return sum((await self._ends.end_offsets(wanted)).values()) if wanted else 0

    async def settle(self, deadline: float = 60.0) -> None:
        """Wait until every event has flowed: every outbox published, every group caught up,
        and no outbox row written meanwhile (a handler writes its events in the transaction
        it commits before acknowledging, so a row written while the lag was read shows as a
        new highest id)."""
        started = time.monotonic()

        async def quiet() -> bool:
            self.probes += 1
            t0 = time.monotonic()
            pending, highest = await self._outboxes()
            self.probe_seconds["outbox"] += time.monotonic() - t0
            if pending:
                return False
            t0 = time.monotonic()
            lag = await self._lag()
            self.probe_seconds["lag"] += time.monotonic() - t0
            if lag:
                return False
            return await self._outboxes() == (0, highest)

        await eventually(quiet, timeout=deadline, interval=0.01, what="the day's events flowed")
        self.settle_seconds += time.monotonic() - started


@contextlib.asynccontextmanager
async def county(kafka, databases, clock: MovableClock) -> AsyncIterator[County]:  # noqa: ANN001
    settings: dict[str, dict[str, object]] = {
        "assignment": {"allocation_interval_minutes": 0},
        # No noise, and only a count of 1 hidden (the smallest minimum the settings allow).
        "monitoring": {"min_count": 2, "max_deviation": 0, "public_rate_limit": "1000000/minute",
                       "tables_per_client_per_day": 10_000_000, "rules": EXACT},
    }
    async with contextlib.AsyncExitStack() as stack:
        running = {}
        for name in SERVICES:
            running[name] = await stack.enter_async_context(in_process(
                name, bootstrap=kafka.bootstrap_servers, database_url=await databases.url(name),
                clock=clock, county_districts=DISTRICT, consumer_batch_wait_ms=BATCH_WAIT_MS,
                **settings.get(name, {})))
        found = County(running, clock, kafka.bootstrap_servers)
        await found.start()
        try:
            yield found
        finally:
            await found.stop()


# --- the actors ---------------------------------------------------------------------------


class Simulation:
    """The county's people, coordinator and providers, driven by one seeded RNG."""

    def __init__(self, place: County, scale: Scale) -> None:
        self.county = place
        self.scale = scale
        self.rng = random.Random(scale.seed)
        self.record = Record()
        self.participations: dict[str, Participation] = {}
        self.courses: dict[str, dict[str, Any]] = {}
        self._arrived = 0
        self._course_number = 0
        #: Seconds spent per kind of action (what the time budget goes to).
        self.seconds: Counter[str] = Counter()
        #: At the end: messages dead-lettered anywhere, and monitoring's figures per month.
        self.dead_letters = 0
        self.published: dict[str, dict[str, int]] = {}

    @contextlib.contextmanager
    def timed(self, what: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[what] += time.monotonic() - started

    # the calendar

    def _arrivals_today(self, day_index: int) -> int:
        """Spread ``people`` evenly over the days (the remainder where rounding puts it)."""
        due = round(self.scale.people * (day_index + 1) / self.scale.days)
        return max(0, due - self._arrived)

    async def day(self, day_index: int) -> None:
        today = self.county.today
        with self.timed("coordinator"):
            if day_index == 0:
                for _ in range(max(4, self.scale.people // 150)):
                    await self.publish_course(today, lead_days=self.rng.randint(3, 20))
            elif today.weekday() == 0:
                for _ in range(max(1, round(self.scale.people / 2000 * 3))):
                    await self.publish_course(today, lead_days=self.rng.randint(14, 45))
            if today.weekday() == 2 and self.rng.random() < 0.3:
                await self.change_catalogue(today)
        with self.timed("arrivals"):
            await self.arrive(today, self._arrivals_today(day_index))
        with self.timed("providers"):
            await self.providers_act(today)
        with self.timed("allocation"):
            allocated = await self.county.system["assignment"].client.post(
                "/allocations", json={"dry_run": False}, headers=COORDINATOR)
        assert allocated.status_code == 200, allocated.text
        with self.timed("settle"):
            await self.county.settle()
        with self.timed("offers seen"):
            await self.see_offers(today)

    # the coordinator

    async def publish_course(self, today: date, *, lead_days: int) -> None:
        self._course_number += 1
        rng = self.rng
        starts = today + timedelta(days=lead_days)
        weeks = rng.choice(self.scale.weeks)
        ends = starts + timedelta(weeks=weeks)
        kind, entry, target = rng.choice((
            ("general_integration", "A0", "B1"), ("general_integration", "A1", "B1"),
            ("general_integration", "A1", "B1"), ("women", "A0", "A2"),
            ("intensive", "A2", "B1")))
        body = {"course_id": f"sim-{self._course_number:04d}-{uuid.uuid4().hex[:6]}",
                "provider_id": rng.choice(PROVIDERS), "title": f"Kurs {self._course_number}",
                "course_type": kind, "entry_level": entry, "target_level": target,
                "region_key": rng.choice(MUNICIPALITIES), "mode": "in_person",
                "schedule": [rng.choice(("mornings", "mornings", "afternoons"))],
                "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
                "hours": weeks * 20, "capacity": rng.randint(10, 20),
                "minimum_participants": rng.choice((0, 0, 4, 8)),
                "childcare_places": rng.choice((0, 2, 5)), "status": "open"}
        if rng.random() < 0.3:
            body["entry_until"] = (starts + timedelta(days=rng.randint(0, 21))).isoformat()
        created = await self.county.system["assignment"].client.post(
            "/courses", json=body, headers=COORDINATOR)
        assert created.status_code == 201, created.text
        if created.json().get("approval") != "approved":
            approved = await self.county.system["assignment"].client.post(
                f"/courses/{body['course_id']}/approve", headers=COORDINATOR)
            assert approved.status_code == 200, approved.text
        self.courses[body["course_id"]] = body
        self.record.actions["course published"] += 1

    async def change_catalogue(self, today: date) -> None:
        """Now and then a course not yet started is cancelled, or gets more seats or a later
        entry deadline."""
        upcoming = [course for course in self.courses.values()
                    if _day(course["starts_on"]) > today and course["status"] == "open"]
        if not upcoming:
            return
        course = self.rng.choice(upcoming)
        client = self.county.system["assignment"].client
        if self.rng.random() < 0.3:
            response = await client.post(f"/courses/{course['course_id']}/cancel",
                                         headers=COORDINATOR)
            assert response.status_code == 200, response.text
            course["status"] = "cancelled"
            self.record.actions["course cancelled"] += 1
            return
        current = (await client.get(f"/courses/{course['course_id']}",
                                    headers=COORDINATOR)).json()
        current["capacity"] += 2
        # From the course as assignment has it now: postponed for lacking its minimum, it
        # starts later than the simulation's record says (an entry deadline counted from the
        # old start fell before the new one and was refused).
        current["entry_until"] = min(
            _day(current["starts_on"]) + timedelta(days=self.rng.randint(7, 28)),
            _day(current["ends_on"])).isoformat()
        response = await client.put(f"/courses/{course['course_id']}", json=current,
                                    headers=COORDINATOR)
        assert response.status_code == 200, response.text
        if response.json().get("approval") != "approved":
            approved = await client.post(f"/courses/{course['course_id']}/approve",
                                         headers=COORDINATOR)
            assert approved.status_code == 200, approved.text
        course.update(capacity=current["capacity"], entry_until=current["entry_until"])
        self.record.actions["course changed"] += 1

    # the people

    def _survey(self) -> dict[str, Any]:
        rng = self.rng
        level = rng.choice(("A0", "A0", "A1", "A1", "A1", "A2", "B1"))
        children = 1 if rng.random() < 0.2 else 0
        return {"gender": rng.choice(("female", "male")),
                "region_key": rng.choice(MUNICIPALITIES), "german_level": level,
                "german_certified": False, "reads_latin_script": True,
                "schooling_years": rng.choice((6, 9, 12, 13)),
                "children_needing_care": children,
                "childcare_age_bands": ["3_to_5"] if children else [],
                "availability": rng.choice((["mornings"], ["mornings", "afternoons"],
                                            ["afternoons"]))}

    def _person(self) -> dict[str, Any]:
        rng = self.rng
        return {**registration()["identity"],
                "family_name": invented_name(rng, 4), "given_names": invented_name(rng, 3),
                "birth_date": (date(1960, 1, 1)
                               + timedelta(days=rng.randrange(365 * 45))).isoformat(),
                "file_numbers": [{"kind": "federal_office",
                                  "number": f"{rng.randrange(10**7):07d}-"
                                            f"{rng.randrange(1000):03d}"}]}

    async def arrive(self, today: date, count: int) -> None:
        client = self.county.system["intake"].client
        bodies = [registration(person=self._person(), **self._survey()) for _ in range(count)]
        responses = await asyncio.gather(*(client.post("/cases", json=body,
                                                       headers=INTAKE_STAFF)
                                           for body in bodies))
        for response in responses:
            assert response.status_code == 201, response.text
        self._arrived += count
        self.record.arrivals[month_of(today)] += count

    # the providers

    async def see_offers(self, today: date) -> None:
        """Each provider reads its participants list (progress) for new referral codes, and
        decides now what it will do with each."""
        rng = self.rng
        for provider_id in PROVIDERS:
            listed = await self.county.system["progress"].client.get(
                "/participants", headers=provider_token(provider_id))
            assert listed.status_code == 200, listed.text
            for row in listed.json():
                code = row["referral_code"]
                if code in self.participations or row["placement_status"] != "offered":
                    continue
                self.record.offers[month_of(today)] += 1
                fate = rng.random()
                known = Participation(code, row["course_id"], provider_id, today)
                if fate < 0.65:
                    known.answer_on = today + timedelta(days=rng.randint(1, 4))
                elif fate < 0.75:
                    known.answer_on = today + timedelta(days=rng.randint(30, 40))  # late
                elif fate < 0.85:
                    known.answer_on = today + timedelta(days=rng.randint(1, 4))
                    known.answer = "decline"
                else:
                    known.answer_on = None  # never answers: the offer expires
                known.no_show = rng.random() < 0.04
                self.participations[code] = known

    async def read_catalogue(self) -> None:
        """The catalogue as it stands (the day turn moves and cancels courses): providers go
        by the dates and status assignment shows, not by what was once entered."""
        listed = await self.county.system["assignment"].client.get("/courses",
                                                                   headers=COORDINATOR)
        assert listed.status_code == 200, listed.text
        for course in listed.json():
            if course["course_id"] in self.courses:
                self.courses[course["course_id"]].update(
                    {name: course[name] for name in ("starts_on", "ends_on", "entry_until",
                                                     "status", "capacity")})

    async def providers_act(self, today: date) -> None:
        with self.timed("providers: catalogue"):
            await self.read_catalogue()
        with self.timed("providers: answers"):
            await self._answer_offers(today)
        reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for known in self.participations.values():
            course = self.courses.get(known.course_id)
            if course is None:
                continue
            self._report(known, course, today, reports[known.provider_id])
        for provider_id, batch in reports.items():
            if not batch:
                continue
            with self.timed("providers: reports"):
                response = await self.county.system["progress"].client.post(
                    "/reports/batch", json={"reports": batch},
                    headers=provider_token(provider_id))
            assert response.status_code == 200, response.text
            for sent, result in zip(batch, response.json()["results"], strict=True):
                self._reported(sent, result, today)

    async def _answer_offers(self, today: date) -> None:
        """Today's answers, sent together (providers do not wait for each other)."""
        client = self.county.system["assignment"].client
        due = [known for known in self.participations.values()
               if known.state == "offered" and known.answer_on == today]
        responses = await asyncio.gather(*(client.post(
            f"/referrals/{known.referral_code}/{known.answer}",
            headers=provider_token(known.provider_id)) for known in due))
        for known, response in zip(due, responses, strict=True):
            if response.status_code == 200:
                known.state = "confirmed" if known.answer == "confirm" else "gone"
                known.confirmed_on = today
                self.record.actions[f"offer {ANSWERED[known.answer]}"] += 1
            else:
                # Too late (expired) or withdrawn meanwhile: the service says no.
                known.state = "gone"
                self.record.refused[f"{known.answer} {response.status_code}"] += 1

    def _report(self, known: Participation, course: dict[str, Any], today: date,
                batch: list[dict[str, Any]]) -> None:
        rng = self.rng
        starts, ends = _day(course["starts_on"]), _day(course["ends_on"])

        def report(kind: str, **values: object) -> None:
            batch.append({"kind": kind, "report_id": uuid.uuid4().hex,
                          "referral_code": known.referral_code, **values})

        # From the day after the confirmation: progress learns of it through the events.
        if (known.state == "confirmed" and not known.no_show and starts <= today < ends
                and known.confirmed_on is not None and known.confirmed_on < today):
            report("enrolment", started_on=today.isoformat())
        elif known.state in ("enrolled", "interrupted"):
            if known.state == "interrupted" and known.resume_on == today and today < ends:
                report("resumption", resumed_on=today.isoformat())
            elif today == ends:
                self._attendance(known, course, today, report)
                if known.state == "interrupted":
                    report("discontinuation", discontinued_on=today.isoformat(),
                           reason="other")
                    return
                passed = rng.random() < 0.7
                report("exam_result", exam="dtz", taken_on=today.isoformat(), passed=passed,
                       level_reached="B1" if passed else "A2")
                report("completion", completed_on=today.isoformat(),
                       level_reached="B1" if passed else "A2")
            elif today.day == 1 and known.state == "enrolled":
                self._attendance(known, course, today - timedelta(days=1), report)
                if rng.random() < 0.04:
                    report("interruption", interrupted_on=today.isoformat(), reason="illness")
                    known.resume_on = today + timedelta(days=rng.randint(10, 20))
            elif known.state == "enrolled" and today.weekday() == 4 and rng.random() < 0.012:
                report("discontinuation", discontinued_on=today.isoformat(),
                       reason=rng.choice(("moved_away", "work", "illness", "other")))

    def _attendance(self, known: Participation, course: dict[str, Any], until: date,
                    report) -> None:  # noqa: ANN001
        """The hours since the last report: the course's hours spread over its days."""
        begin = (known.attended_until + timedelta(days=1) if known.attended_until
                 else known.enrolled_on)
        if begin is None or begin > until:
            return
        length = (_day(course["ends_on"]) - _day(course["starts_on"])).days + 1
        # Rounded down: the periods together never exceed the course's hours.
        planned = math.floor(course["hours"] * ((until - begin).days + 1) / length * 10) / 10
        attended = math.floor(planned * self.rng.uniform(0.6, 1) * 10) / 10
        report("attendance", period_start=begin.isoformat(), period_end=until.isoformat(),
               hours_planned=planned, hours_attended=attended)
        known.attended_until = until

    def _reported(self, sent: dict[str, Any], result: dict[str, Any], today: date) -> None:
        known = self.participations[sent["referral_code"]]
        kind = sent["kind"]
        if result["status"] != "accepted":
            self.record.refused[f"{kind}: " + "; ".join(
                f"{error['field']}: {error['reason']}" for error in result["errors"])] += 1
            if kind == "enrolment":
                known.state = "gone"  # withdrawn meanwhile: no further reports
            return
        self.record.actions[kind] += 1
        if kind == "enrolment":
            known.state, known.enrolled_on = "enrolled", today
        elif kind == "interruption":
            known.state = "interrupted"
        elif kind == "resumption":
            known.state = "enrolled"
        elif kind == "completion":
            known.state = "completed"
            self.record.completions[month_of(today)] += 1
        elif kind == "discontinuation":
            known.state = "discontinued"
            self.record.discontinuations[month_of(today)] += 1


# --- the invariants -----------------------------------------------------------------------


@dataclass
class Checker:
    """Reads the services' state after each day and records every broken invariant."""

    county: County
    violations: list[str] = field(default_factory=list)
    checked_offers: set[str] = field(default_factory=set)
    seconds: float = 0.0
    #: Courses left below their minimum though the people waiting for them would have filled
    #: it (reported, not a violation: see ``_waiting_for_a_reason``).
    short_but_fillable: set[str] = field(default_factory=set)
    _structural: dict[tuple[object, ...], bool] = field(default_factory=dict)

    def violation(self, today: date, text: str) -> None:
        if len(self.violations) < 200:
            self.violations.append(f"{today}: {text}")

    async def check(self, today: date) -> None:
        started = time.monotonic()
        assignment = self.county.system["assignment"].runtime
        async with assignment.sessions() as session:
            courses = {row.course_id: dict(row._mapping) for row in (await session.execute(
                select(assignment_tables.courses))).all()}
            placements = [dict(row._mapping) for row in (await session.execute(
                select(assignment_tables.placements))).all()]
            waiting = {row.pseudonym: dict(row._mapping) for row in (await session.execute(
                select(assignment_tables.waiting_people))).all()}
        self._offers_open_for_entry(today, courses, placements)
        self._capacity(today, courses, placements)
        self._one_course_at_a_time(today, placements)
        self._expired_offers_returned(today, placements, waiting)
        await self._waiting_for_a_reason(today, courses)
        await self._states_equal(today, placements)
        self.seconds += time.monotonic() - started

    def _offers_open_for_entry(self, today: date, courses: dict[str, dict[str, Any]],
                               placements: list[dict[str, Any]]) -> None:
        """No offer in an ended course or one past its entry deadline, judged by the course
        as it stood on the offer's day (every day's new offers are checked that day)."""
        for placement in placements:
            if placement["placement_id"] in self.checked_offers:
                continue
            self.checked_offers.add(placement["placement_id"])
            course = courses[placement["course_id"]]
            offered_on = placement["offered_on"]
            if offered_on != today:
                self.violation(today, f"offer {placement['placement_id']} dated {offered_on}")
            if not open_for_entry_on(course, offered_on):
                self.violation(today, f"offer in course {course['course_id']} on {offered_on}, "
                                      f"not open for entry ({course['starts_on']}–"
                                      f"{course['ends_on']}, entry until "
                                      f"{entry_deadline(course)})")
            if course["status"] == "cancelled":
                self.violation(today, f"offer in cancelled course {course['course_id']}")

    def _capacity(self, today: date, courses: dict[str, dict[str, Any]],
                  placements: list[dict[str, Any]]) -> None:
        held = Counter(p["course_id"] for p in placements if p["status"] in ACTIVE)
        for course_id, count in held.items():
            if count > courses[course_id]["capacity"]:
                self.violation(today, f"course {course_id} holds {count} placements, "
                                      f"capacity {courses[course_id]['capacity']}")

    def _one_course_at_a_time(self, today: date, placements: list[dict[str, Any]]) -> None:
        active = Counter(p["pseudonym"] for p in placements if p["status"] in ACTIVE)
        for pseudonym, count in active.items():
            if count > 1:
                self.violation(today, f"{pseudonym[:8]}… holds {count} active placements")

    def _expired_offers_returned(self, today: date, placements: list[dict[str, Any]],
                                 waiting: dict[str, dict[str, Any]]) -> None:
        """An offer past its deadline is expired, and its person is back on the list with the
        original waiting_since — or, if placed since, the next placement kept it."""
        of_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for placement in placements:
            of_person[placement["pseudonym"]].append(placement)
        for placement in placements:
            expires_on = placement.get("expires_on")
            if placement["status"] == "offered" and expires_on and expires_on < today:
                self.violation(today, f"offer {placement['placement_id']} past its deadline "
                                      f"{expires_on} still offered")
            if placement["status"] != "expired":
                continue
            pseudonym, since = placement["pseudonym"], placement["waiting_since"]
            later = sorted((p for p in of_person[pseudonym]
                            if p["offered_on"] >= placement["offered_on"]
                            and p["placement_id"] != placement["placement_id"]),
                           key=lambda p: p["offered_on"])
            if later:
                if later[0]["waiting_since"] != since:
                    self.violation(today, f"{pseudonym[:8]}… placed again after an expired "
                                          f"offer without keeping waiting_since {since}")
            elif pseudonym not in waiting:
                self.violation(today, f"{pseudonym[:8]}… neither waiting nor placed after "
                                      f"the offer {placement['placement_id']} expired")
            elif waiting[pseudonym]["waiting_since"] != since:
                self.violation(today, f"{pseudonym[:8]}… back on the list since "
                                      f"{waiting[pseudonym]['waiting_since']}, not {since}")

    async def _waiting_for_a_reason(self, today: date,
                                    courses: dict[str, dict[str, Any]]) -> None:
        """Nobody waits who fits a course with a free seat open for entry — unless that course
        has not started and is below its minimum (the minimum rule: the allocation does not
        start it; the people wait with a stated reason)."""
        assignment = self.county.system["assignment"].runtime
        async with assignment.uow() as uow:
            people = await applicants(uow)
            catalogue = await uow.courses.seats(bookable_only=False)
            reasons = {row.pseudonym: row.reason for row in (await uow.session.execute(
                select(assignment_tables.waiting_people))).all()}
        offer = [seats for seats in catalogue
                 if seats.course.status.value in ("planned", "open", "running")
                 and seats.course.approved and seats.free_seats > 0
                 and seats.course.region_key.startswith(DISTRICT)
                 and open_for_entry_on(courses[seats.course.course_id], today)]
        fitting = {seats.course.course_id: [person for person in people
                                            if self._eligible(person, seats)]
                   for seats in offer}
        for seats in offer:
            course = seats.course
            if course.starts_on > today and seats.held < course.minimum_participants:
                # The minimum rule: an allocation starts no course below its minimum. Whether
                # this one could have reached it with everyone who fits is counted, not
                # failed (``short_but_fillable``): the optimiser closes every course its
                # solution leaves short, and two short courses sharing their people can
                # both be closed.
                if seats.held + placeable(seats, fitting[course.course_id]) \
                        >= course.minimum_participants:
                    self.short_but_fillable.add(course.course_id)
                continue
            for person in fitting[course.course_id][:3]:
                self.violation(today, f"{person.pseudonym[:8]}… waits "
                                      f"({reasons.get(person.pseudonym)}) though course "
                                      f"{course.course_id} has {seats.free_seats} free")

    def _eligible(self, person: Applicant, seats: Seats) -> bool:
        """Assignment's ``eligible``, with the rules that do not depend on free seats
        remembered per person and course as they stand (a year asks the same pairs daily)."""
        key = (person.pseudonym, seats.course.course_id, seats.course.status,
               person.wanted_course_type, person.declined_course_ids)
        structural = self._structural.get(key)
        if structural is None:
            structural = self._structural[key] = structurally_eligible(person, seats)
        return structural and all(outcome.passed for outcome in seat_outcomes(person, seats))

    async def _states_equal(self, today: date, placements: list[dict[str, Any]]) -> None:
        """Assignment's placement status equals progress's combined state (design: its
        mirrored placement status if declined/withdrawn/expired, else its participation status
        mapped)."""
        combined: dict[str, str] = {}
        for provider_id in PROVIDERS:
            listed = await self.county.system["progress"].client.get(
                "/participants", headers=provider_token(provider_id))
            for row in listed.json():
                mirrored, status = row["placement_status"], row["status"]
                if mirrored in ENDED_PLACEMENT or status == "referred":
                    combined[row["referral_code"]] = mirrored
                elif status in ("enrolled", "interrupted"):
                    combined[row["referral_code"]] = "enrolled"
                else:
                    combined[row["referral_code"]] = status
        for placement in placements:
            theirs = combined.get(placement["referral_code"])
            if theirs != placement["status"]:
                self.violation(today, f"referral {placement['referral_code']}: assignment "
                                      f"{placement['status']}, progress {theirs}")


def placeable(seats: Seats, people: list[Applicant]) -> int:
    """How many of ``people`` (each eligible on their own) the course could take together:
    its free seats, with those who need a childcare place limited by the free places."""
    needing = sum(1 for person in people if needs_childcare_place(person, seats.course))
    return min(seats.free_seats,
               len(people) - needing + min(needing, seats.free_childcare))


async def monitoring_figures(county: County, months: list[str]) -> dict[str, dict[str, int]]:
    """Monitoring's published counts per month (exact rules: nothing hidden or rounded)."""
    client = county.system["monitoring"].client
    figures: dict[str, dict[str, int]] = defaultdict(dict)
    for measure in ("arrivals", "placements", "course_outcomes"):
        for month in months:
            table = await client.get(f"/statistics/{measure}", params={"period": month})
            assert table.status_code == 200, table.text
            count = table.json()["total"]["count"]
            # min_count 2 hides exactly the count 1 (zeros are shown: protect_zeros off).
            figures[measure][month] = 1 if count["value"] is None else count["value"]
    return figures


async def simulate(kafka, databases, scale: Scale, start: date) -> tuple[  # noqa: ANN001
        Simulation, Checker, dict[str, float]]:
    """Run ``scale.days`` days from ``start``; return the record, the checker's findings and
    the times taken."""
    clock = MovableClock(morning(start))
    timings: dict[str, float] = {}
    began = time.monotonic()
    async with county(kafka, databases, clock) as place:
        timings["start"] = time.monotonic() - began
        simulation = Simulation(place, scale)
        checker = Checker(place)
        for index in range(scale.days):
            clock.set(morning(start + timedelta(days=index)))
            await simulation.day(index)
            await checker.check(place.today)
        timings["days"] = time.monotonic() - began - timings["start"]
        timings["settle"] = place.settle_seconds
        timings["check"] = checker.seconds
        simulation.dead_letters = await place.dead_letters()
        months = sorted(set(simulation.record.arrivals) | set(simulation.record.offers))
        simulation.published = await monitoring_figures(place, months)
    return simulation, checker, timings
