"""Scheduled allocation rounds: a month without events still gets its unmet demand and seat
figures for monitoring, once."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from ankommen.assignment.adapters.tables import allocation_lock
from ankommen.assignment.service.schedule import allocation_round
from tests.assignment.support import COORDINATOR, course_body, outbox, register, waiting_count
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import in_process

UNMET = "ankommen.assignment.demand_unmet_fact.v1"
CAPACITY = "ankommen.assignment.course_capacity_fact.v1"


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


async def test_a_round_in_a_new_month_reports_its_unmet_demand_and_seats_once(
        kafka, databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await databases.url("assignment")) as assignment:
        # Two people nobody can place (another district, no online courses), one course.
        for days in (30, 20):
            await register(bootstrap, days, region_key="03351001", can_attend_online=False)
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 2,
                         what="both cases waiting")
        await assignment.client.post("/courses", json=course_body(
            f"c-{uuid.uuid4().hex[:6]}", minimum_participants=1), headers=COORDINATOR)
        this_month = county_today().strftime("%Y-%m")
        next_month = first_of_next_month(county_today())
        before = {kind: await outbox(assignment, kind) for kind in (UNMET, CAPACITY)}
        assert len(before[UNMET]) == 2
        assert {fact["month"] for fact in before[CAPACITY]} == {this_month}

        policy = assignment.runtime.settings.allocation_policy
        assert await allocation_round(assignment.runtime.uow, policy, next_month)
        assert await allocation_round(assignment.runtime.uow, policy, next_month)

        unmet = await outbox(assignment, UNMET)
        capacity = await outbox(assignment, CAPACITY)
        new_month = next_month.strftime("%Y-%m")
        assert [fact["month"] for fact in unmet[2:]] == [new_month, new_month]
        assert [fact["month"] for fact in capacity[len(before[CAPACITY]):]] == [new_month]
        assert capacity[-1]["seats_offered"] == 20 and capacity[-1]["seats_taken"] == 0


async def test_rounds_run_on_their_own_at_the_configured_interval(kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment"),
                          allocation_interval_minutes=0.01) as assignment:

        async def runs() -> int:
            async with assignment.runtime.sessions() as session:
                return await session.scalar(select(allocation_lock.c.runs)) or 0

        first = await runs()
        await eventually(runs, until=lambda count: count >= first + 2, timeout=30,
                         what="two scheduled rounds without any event")
