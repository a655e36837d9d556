"""An invented course catalogue for the county: several providers, every course type, courses
that are ending this month, courses running and courses planned.

Dates are relative to ``today`` so that a demo loaded on any day has courses in every phase:
*ending* courses started about six months ago and end in the current month (their exams,
completions and dropouts fall into a month the dashboard still shows — earlier months are
closed, see ``docs/monitoring.md``), *running* courses started one to four months ago, and
*planned* ones start within the next ten weeks. Assignment offers a seat only in a course open
for entry by its dates (docs/assignment.md, issue 16): an ending course takes nobody any more
(one that has ended is entered as completed), and each running course gets a coordinator's
late-entry deadline two weeks ahead, so today's arrivals fill running and planned courses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ankommen.tools.synthetic.county import PROVIDERS, Provider, municipality
from ankommen.tools.synthetic.people import pick


@dataclass(frozen=True)
class CourseKind:
    course_type: str
    title: str
    entry_level: str
    target_level: str
    hours: int
    capacity: tuple[int, int]
    minimum: int
    share: float
    childcare: bool = False
    mode: str = "in_person"
    schedule: tuple[str, ...] = ("mornings",)


KINDS: tuple[CourseKind, ...] = (
    CourseKind("general_integration", "Allgemeiner Integrationskurs", "A0", "B1", 700,
               (20, 25), 7, 0.22),
    CourseKind("general_integration", "Integrationskurs (Aufbaumodule)", "A2", "B1", 300,
               (18, 25), 7, 0.06),
    CourseKind("literacy", "Integrationskurs mit Alphabetisierung", "A0", "B1", 1000,
               (12, 16), 5, 0.12, childcare=True),
    CourseKind("second_script", "Zweitschriftlernerkurs", "A0", "B1", 900, (14, 18), 5, 0.07),
    CourseKind("youth", "Jugendintegrationskurs", "A0", "B1", 1000, (14, 20), 6, 0.06),
    CourseKind("parents", "Elternintegrationskurs", "A0", "B1", 1000, (14, 18), 6, 0.06,
               childcare=True),
    CourseKind("women", "Frauenintegrationskurs", "A0", "B1", 1000, (14, 18), 6, 0.06,
               childcare=True),
    CourseKind("intensive", "Intensivkurs", "A1", "B1", 430, (16, 20), 6, 0.04),
    CourseKind("job_related_b2", "Berufssprachkurs B2", "B1", "B2", 500, (15, 20), 6, 0.06,
               schedule=("evenings",)),
    CourseKind("job_related_c1", "Berufssprachkurs C1", "B2", "C1", 500, (12, 18), 5, 0.02,
               mode="online", schedule=("evenings",)),
    CourseKind("job_related_profession", "Berufssprachkurs Pflege", "B1", "B2", 400,
               (12, 16), 5, 0.02),
    CourseKind("first_orientation", "Erstorientierungskurs", "A0", "A1", 300, (15, 20), 5,
               0.07, schedule=("afternoons",)),
    CourseKind("local", "Sprachcafé und Deutschtreff", "A0", "A2", 120, (10, 15), 3, 0.06,
               schedule=("evenings",)),
    CourseKind("general_integration", "Integrationskurs online", "A1", "B1", 700, (18, 25),
               7, 0.08, mode="online", schedule=("afternoons",)),
)

#: Which providers run which course types.
_OFFERS = {
    "vhs-heidekreis": {"general_integration", "literacy", "second_script", "parents", "women",
                       "youth", "job_related_b2", "first_orientation"},
    "bildungszentrum-heide": {"general_integration", "literacy", "intensive", "job_related_b2",
                              "job_related_profession"},
    "sprachwerk-walsrode": {"general_integration", "second_script", "women", "youth",
                            "intensive"},
    "lernhaus-munster": {"general_integration", "literacy", "parents", "first_orientation"},
    "deutsch-online-nord": {"general_integration", "job_related_c1", "job_related_b2"},
    "ehrenamt-heidekreis": {"local"},
}


@dataclass(frozen=True)
class Phase:
    """Where a course stands on the day the demo is loaded."""

    name: str
    share: float


PHASES = (Phase("ending", 0.35), Phase("running", 0.35), Phase("planned", 0.30))


def _providers_for(kind: CourseKind) -> list[Provider]:
    online = kind.mode == "online"
    return [provider for provider in PROVIDERS
            if kind.course_type in _OFFERS[provider.provider_id]
            and (online == (provider.provider_id == "deutsch-online-nord"))]


def _period(rng: random.Random, phase: str, hours: int, today: date) -> tuple[date, date]:
    month_start = today.replace(day=1)
    weeks = max(4, round(hours / 20))  # about 20 lessons a week, 25 for intensive courses
    if phase == "ending":
        ends_on = month_start + timedelta(days=rng.randrange((today - month_start).days + 1))
        starts_on = ends_on - timedelta(weeks=min(weeks, 26))
    elif phase == "running":
        starts_on = today - timedelta(days=rng.randrange(30, 120))
        ends_on = max(starts_on + timedelta(weeks=weeks), today + timedelta(days=30))
    else:
        starts_on = today + timedelta(days=rng.randrange(7, 70))
        ends_on = starts_on + timedelta(weeks=weeks)
    return starts_on, ends_on


#: How long the demo's coordinators keep late entry into a running course open from the day
#: the demo is loaded: its people are placed today, so a running course past its default
#: deadline (start + a quarter of its duration) would otherwise stay empty.
LATE_ENTRY = timedelta(days=14)


def _late_entry(phase: str, starts_on: date, ends_on: date, today: date) -> dict[str, str]:
    """A coordinator's late-entry deadline for a running course; none otherwise (the default
    applies). An ended course takes nobody whatever its deadline: the demo marks it completed.
    """
    if phase != "running" or ends_on <= today:
        return {}
    return {"entry_until": min(today + LATE_ENTRY, ends_on - timedelta(days=1)).isoformat()}


def catalogue(rng: random.Random, count: int, today: date) -> list[dict[str, Any]]:
    """``count`` courses (the ``Course`` contract, as ``POST /courses`` takes it)."""
    courses = []
    for number in range(1, count + 1):
        kind = rng.choices(KINDS, [k.share for k in KINDS])[0]
        provider = rng.choice(_providers_for(kind))
        phase = pick(rng, [(p.name, p.share) for p in PHASES])
        starts_on, ends_on = _period(rng, phase, kind.hours, today)
        courses.append(_course(rng, number, kind, provider, starts_on, ends_on) | {
            "status": "completed" if ends_on < today else "open",
            **_late_entry(phase, starts_on, ends_on, today)})
    return courses


#: The longest course of the demo's year: integration courses run up to a year, but so that a
#: year of the county shows courses from their start to their outcomes, none runs longer than
#: half a year here (nor longer than half the period the demo travels through).
YEAR_COURSE_WEEKS = 26

#: Where a course of the year stands on its last day (``today``): ended, running or upcoming.
#: "Starting" courses began in the last three weeks and still take late entrants: a person
#: registered after the demo can join a course that runs already, whereas an upcoming course
#: starts only once it has its minimum (docs/assignment.md).
YEAR_PHASES = (Phase("ended", 0.33), Phase("running", 0.30), Phase("starting", 0.14),
               Phase("upcoming", 0.23))


def _year_period(rng: random.Random, phase: str, hours: int, first_day: date, today: date
                 ) -> tuple[date, date]:
    length = min(timedelta(weeks=min(YEAR_COURSE_WEEKS, max(4, round(hours / 20)))),
                 (today - first_day) / 2)
    length = timedelta(days=length.days)
    earliest = first_day + timedelta(days=7)  # published on the first day, starting later
    if phase == "ended":
        latest = today - timedelta(days=1) - length
        starts_on = earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days)))
    elif phase == "starting":
        starts_on = max(earliest, today - timedelta(days=rng.randrange(1, 21)))
    elif phase == "running":
        since = max(earliest, today - length + timedelta(days=7))
        starts_on = since + timedelta(days=rng.randrange(max(1, (today - since).days)))
    else:
        starts_on = today + timedelta(days=rng.randrange(7, 70))
    return starts_on, starts_on + length


def year_catalogue(rng: random.Random, count: int, first_day: date, today: date
                   ) -> list[dict[str, Any]]:
    """``count`` courses of a county's year from ``first_day`` to ``today``, all published on
    ``first_day`` and all starting after it: about a third have ended by ``today``, the
    others run or start within ten weeks. Each takes new participants until the default
    late-entry deadline (a quarter of its duration) and goes through its life by its dates
    as the demo moves the county's clock."""
    courses = []
    for number in range(1, count + 1):
        kind = rng.choices(KINDS, [k.share for k in KINDS])[0]
        provider = rng.choice(_providers_for(kind))
        phase = pick(rng, [(p.name, p.share) for p in YEAR_PHASES])
        starts_on, ends_on = _year_period(rng, phase, kind.hours, first_day, today)
        courses.append(_course(rng, number, kind, provider, starts_on, ends_on)
                       | {"status": "open"})
    return courses


#: A course day by the course's time slot (first listed), as the letter prints it.
DAY_TIMES = {"mornings": ("08:30", "12:45"), "afternoons": ("13:30", "16:45"),
             "evenings": ("18:00", "21:15"), "weekends": ("09:00", "13:15")}
#: Invented venues: common street names, numbered by course (no real address is meant).
STREETS = ("Bahnhofstraße", "Marktstraße", "Schulstraße", "Am Rathaus", "Kirchstraße",
           "Lindenweg", "Poststraße", "Walsroder Straße")


def letter_details(number: int, kind: CourseKind, provider: Provider, town_name: str,
                   postal_code: str) -> dict[str, Any]:
    """What the person's invitation letter prints (issue 18), derived from the course's
    number rather than drawn from ``rng``: the demo's other draws stay as they were."""
    start, end = DAY_TIMES[kind.schedule[0]]
    short = provider.name.split(" (")[0]
    details: dict[str, Any] = {
        "provider_name": short, "daily_start": start, "daily_end": end,
        "contact": {"name": f"Kursbüro {short}",
                    "phone": f"0{5190 + number % 9} 99{number % 1000:03d}",
                    "email": f"kurse@{provider.provider_id}.example"}}
    if kind.mode != "online":
        details["venue"] = {"name": f"{short}, Kursraum {1 + number % 4}",
                            "street": f"{STREETS[number % len(STREETS)]} {3 + number % 40}",
                            "postal_code": postal_code, "city": town_name.split(" (")[0]}
    if kind.childcare:
        details["what_to_bring"] = ("Für die Kinderbetreuung: Impfpass des Kindes "
                                    "(Masernschutz)")
    return details


def _course(rng: random.Random, number: int, kind: CourseKind, provider: Provider,
            starts_on: date, ends_on: date) -> dict[str, Any]:
    town = municipality(rng.choice(provider.towns))
    capacity = rng.randint(*kind.capacity)
    return {
        "course_id": f"HK-{starts_on:%Y%m}-{number:04d}",
        "provider_id": provider.provider_id,
        "title": f"{kind.title} {town.name.split(' (')[0]}"
                 + (" (online)" if kind.mode == "online" else ""),
        "course_type": kind.course_type,
        "entry_level": kind.entry_level,
        "target_level": kind.target_level,
        "region_key": town.key,
        "latitude": town.latitude,
        "longitude": town.longitude,
        "mode": kind.mode,
        "schedule": list(kind.schedule),
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "hours": kind.hours,
        "capacity": capacity,
        "minimum_participants": min(kind.minimum, capacity),
        "childcare_places": rng.randint(4, 8) if kind.childcare else 0,
        "transport_offered": town.key != "03358021" and rng.random() < 0.2,
        **letter_details(number, kind, provider, town.name, town.postal_code),
    }
