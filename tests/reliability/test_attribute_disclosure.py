"""Issue 15's acceptance, full version (``make verify``): the person with a rare combination
of attributes is registered at intake through its real HTTP API (intake in-process, its outbox
relayed over Apache Kafka, the fact counted by monitoring), among small districts with every
measure's facts; the attacker reads every catalogue table of every measure × every published
period × every area as JSON and CSV, the key figures, every dashboard and annual report (held
against the JSON, number for number), before and after him, after his month
and after his year closed — and infers none of his attributes, nor any group's.

Intake dates the registration by the real clock, so the scenario is built around the current
month; monitoring's clock is moved from there. The quick version, with the rules switched off
as well, is ``tests/monitoring/integration/test_attribute_disclosure.py``.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest

from ankommen.monitoring.domain.bounds import month_of, months_before
from ankommen.monitoring.domain.months import month_closes_at
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.monitoring import facts_topic as make
from tests.monitoring.attacker import Attack, Method, Observation, Person
from tests.monitoring.disclosure_attack import (
    DIMENSIONS,
    Snapshot,
    month_start,
    people,
    read_everything,
)
from tests.support.clock import MovableClock
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token
from tests.support.surveys import identity, registration

SMALL, MIDDLE, LARGE = "03358", "03351", "03352"
DISTRICTS = [MIDDLE, LARGE, SMALL]
HISTORY_MONTHS, GRACE = 13, timedelta(days=5)
pytestmark = [
    pytest.mark.parametrize("databases", ["sqlite"], indirect=True),
    # About 100 s of solving and reading: make verify runs it (ANKOMMEN_VERIFY=1); make test
    # runs the quick version in tests/monitoring/integration.
    pytest.mark.skipif(not os.environ.get("ANKOMMEN_VERIFY"),
                       reason="the full attack runs in make verify; make test runs the quick "
                              "one (tests/monitoring/integration/test_attribute_disclosure.py)"),
]


def plan(now: datetime) -> tuple[list[str], dict[str, dict[str, int]]]:
    current = month_of(now)
    months = [months_before(current, back) for back in (3, 2, 1, 0)]
    return months, {
        SMALL: {months[2]: 9},  # nine people, all in one month; he comes the month after
        MIDDLE: {months[0]: 8, months[1]: 7, months[2]: 8, months[3]: 7},
        LARGE: {months[0]: 5, months[1]: 30, months[2]: 5, months[3]: 5}}


def other_facts(months: list[str]) -> list:
    """Every other measure, a little of each, so that every table is read and checked."""
    facts = []
    for month in months:
        for district in DISTRICTS:
            facts += [make.placement(month, district) for _ in range(6)]
            facts += [make.waitlisted(month, district), make.unmet_demand(month, district),
                      make.transition(month, district), make.dtz_exam(month, district, "B1"),
                      make.course_outcome(month, district),
                      make.course_outcome(month, district, "discontinued", "moved_away"),
                      make.capacity(month, district, offered=20, taken=12,
                               published_at=month_start(month))]
    # Dated the first instant of their month, as producers stamp facts.
    return [fact.model_copy(update={"time": month_start(fact.data["month"])}) for fact in facts]


async def processed(monitoring: RunningService) -> int:
    response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
    return response.json()["facts_processed"]


async def test_no_published_output_gives_away_an_attribute_of_a_person_registered_at_intake(
        kafka, databases):
    now = datetime.now(UTC)
    months, arrivals_plan = plan(now)
    others = people(arrivals_plan, seed=1515)
    clock = MovableClock(month_start(months[0]) + timedelta(days=14))
    taken: list[Snapshot] = []
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("monitoring"),
                          county_districts=",".join(DISTRICTS), history_months=HISTORY_MONTHS,
                          public_rate_limit="1000000/minute",
                          tables_per_client_per_day=10_000_000, clock=clock) as monitoring, \
            running_intake(kafka, databases) as intake:

        async def feed(envelopes: list) -> None:
            expected = await processed(monitoring) + len(envelopes)
            await make.publish(kafka.bootstrap_servers, envelopes)
            await eventually(lambda: processed(monitoring), until=lambda n: n == expected,
                             timeout=60, what="the facts counted")

        async def read(name: str, world: str) -> None:
            taken.append(await read_everything(monitoring.client, Snapshot(name, world),
                                               measures={"arrivals", "placements",
                                                         "waitlisted", "unmet_demand",
                                                         "capacity", "course_outcomes",
                                                         "exam_results", "transitions"}))

        for month in months:
            clock.set(max(month_start(month) + timedelta(days=14), now + timedelta(hours=1))
                      if month == months[-1] else month_start(month) + timedelta(days=14))
            await feed([person.fact() for person in others if person.month == month]
                       + other_facts([month]))
        await read("before", "before")
        before = await processed(monitoring)
        birth = date(now.year - 70, 3, 1).isoformat()
        response = await intake.client.post("/cases", headers=token(Role.INTAKE_STAFF),
                                            json=registration(
            person=identity(birth_date=birth), region_key=f"{SMALL}001", gender="diverse",
            german_level="C2", reads_latin_script=False, literate_other_script=False,
            schooling_years=0, school_qualification="none", children_needing_care=2,
            residence_status="skilled_worker"))
        assert response.status_code == 201, response.text
        await eventually(lambda: processed(monitoring), until=lambda n: n == before + 1,
                         timeout=60, what="his arrival counted by monitoring")
        await read("after, his month open", "after")
        clock.set(month_closes_at(months[-1], GRACE) + timedelta(days=1))
        await read("after, his month closed", "after")
        clock.set(datetime(int(months[-1][:4]) + 1, 1, 7, tzinfo=UTC))
        await read("after, his year closed", "after")

    assert sum(snapshot.tables for snapshot in taken) > 500
    every_month = {m for s in taken for o in s.observations for m in o.cell.months}
    attack = Attack(Method(), DIMENSIONS, every_month | {months[-1]}, DISTRICTS,
                    [o for s in taken for o in s.observations], Person(months[-1], SMALL))
    assert attack.consistent()
    assert attack.inferred() == {}
    for world in ("before", "after"):
        seen = [Observation("before", o.cell, o.value, o.protected, o.table_total)
                for s in taken if s.world == world for o in s.observations]
        group = Attack(Method(), DIMENSIONS, every_month | {months[-1]}, DISTRICTS, seen)
        assert group.consistent()
        for period in sorted({o.cell.months for o in seen}, key=sorted):
            for district in DISTRICTS:
                assert group.shared_values(period, district) == {}, (world, period, district)
