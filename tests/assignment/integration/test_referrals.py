"""Providers confirm or decline a placement by its referral code, the only identifier they
have: only in their own courses, mistyped codes are caught, problems name the field."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.placement import PlacementRecord
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.assignment.service.placements import (
    confirm_placement,
    decline_placement,
    placement_by_referral_code,
)
from ankommen.shared.errors import Conflict
from ankommen.shared.identity.auth import Principal, Role
from tests.assignment.support import COORDINATOR, course_body, outbox, register, waiting_count
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token

OFFERED = "ankommen.assignment.placement_offered.v1"


def mistyped(code: str) -> str:
    """The same code with its first character changed: the check character no longer fits."""
    first = "A" if code[0] != "A" else "B"
    return first + code[1:]


async def test_provider_confirms_and_declines_by_referral_code_only_in_own_courses(
        kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        own, other = token(Role.PROVIDER, "vhs-heidekreis"), token(Role.PROVIDER, "caritas-x")
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(course_id, capacity=2),
                                     headers=COORDINATOR)
        for days in (20, 10):
            await register(bootstrap, days)
        offers = await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda o: len(o) == 2, what="two offers")
        taken, turned_down = offers[0]["referral_code"], offers[1]["referral_code"]

        for action in ("", "/confirm", "/decline"):
            method = assignment.client.get if not action else assignment.client.post
            response = await method(f"/referrals/{taken}{action}", headers=other)
            assert response.status_code == 404, action
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["field"] == "referral_code"
            assert taken not in response.text

        invalid = await assignment.client.post(f"/referrals/{mistyped(taken)}/confirm",
                                               headers=own)
        assert invalid.status_code == 422
        assert invalid.json()["errors"][0]["field"] == "referral_code"

        typed = taken.replace("-", "").lower()
        confirmed = await assignment.client.post(f"/referrals/{typed}/confirm", headers=own)
        assert confirmed.status_code == 200
        body = confirmed.json()
        assert body["status"] == "confirmed" and body["referral_code"] == taken
        assert body["pseudonym"] is None
        # The offer's last day, as announced in PlacementOffered (default: 14 days).
        assert body["expires_on"] == offers[0]["expires_on"] == (
            date.fromisoformat(offers[0]["offered_on"]) + timedelta(days=14)).isoformat()
        assert [e["referral_code"] for e in await outbox(
            assignment, "ankommen.assignment.placement_confirmed.v1")] == [taken]

        declined = await assignment.client.post(f"/referrals/{turned_down}/decline",
                                                headers=own)
        assert declined.status_code == 200 and declined.json()["status"] == "declined"
        assert [e["referral_code"] for e in await outbox(
            assignment, "ankommen.assignment.placement_declined.v1")] == [turned_down]
        assert await waiting_count(assignment) == 1

        again = await assignment.client.post(f"/referrals/{turned_down}/confirm", headers=own)
        assert again.status_code == 409 and again.json()["errors"][0]["field"] == "status"
        seen = await assignment.client.get(f"/referrals/{taken}", headers=COORDINATOR)
        assert seen.status_code == 200 and seen.json()["pseudonym"] == offers[0]["pseudonym"]


PROVIDER = Principal("vhs", Role.PROVIDER, "vhs-heidekreis")


@contextlib.asynccontextmanager
async def an_offer(kafka, databases) -> AsyncIterator[tuple[RunningService, dict]]:  # noqa: ANN001
    """Assignment on the test's database with one person offered the one seat of a course."""
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await databases.url("assignment")) as assignment:
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(course_id, capacity=1),
                                     headers=COORDINATOR)
        await register(bootstrap, 20)
        offer = (await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda o: len(o) == 1, what="an offer"))[0]
        yield assignment, offer


#: An answer on an open unit: placement id, the county's allocation policy.
Answer = Callable[[AssignmentUnitOfWork, str, AllocationPolicy], Awaitable[PlacementRecord]]


async def racing(assignment: RunningService, code: str, first: Answer, second: Answer) -> str:
    """``second`` reads the placement while ``first``'s unit has answered but not committed,
    then waits for its row lock; what ``second`` ends with (a status, or 409 and the field)."""
    uow, policy = assignment.runtime.uow, assignment.runtime.settings.allocation_policy
    async with uow() as unit:
        placement = await placement_by_referral_code(unit, PROVIDER, code)
        await first(unit, placement.placement_id, policy)

        async def answered_second() -> str:
            async with uow() as other:
                try:
                    record = await second(other, placement.placement_id, policy)
                except Conflict as refused:
                    return f"{refused.status} {refused.field}"
                await other.commit()
                return record.status.value

        late = asyncio.create_task(answered_second())
        await eventually(lambda: waiting_for_a_lock(assignment),
                         until=lambda count: count == 1, what="the second one waits")
        await unit.commit()
    return await late


def confirm(unit: AssignmentUnitOfWork, placement_id: str, _: AllocationPolicy
            ) -> Awaitable[PlacementRecord]:
    return confirm_placement(unit, PROVIDER, placement_id)


def decline(unit: AssignmentUnitOfWork, placement_id: str, policy: AllocationPolicy
            ) -> Awaitable[PlacementRecord]:
    return decline_placement(unit, PROVIDER, placement_id, policy=policy)


async def test_two_confirmations_racing_for_one_offer_announce_it_once(kafka, databases):  # noqa: ANN001
    """A confirmation sent again while the first still waits (in a restarting service's
    backlog, as the crash proof found) may read the placement offered as the first did: on
    PostgreSQL the second waits for the first's commit, then finds it confirmed and announces
    nothing. (SQLite lets one writer at a time begin: no such race.)"""
    if databases.backend != "postgres":
        return
    async with an_offer(kafka, databases) as (assignment, offer):
        assert await racing(assignment, offer["referral_code"], confirm, confirm) == "confirmed"
        assert len(await outbox(assignment, "ankommen.assignment.placement_confirmed.v1")) == 1


@pytest.mark.parametrize(("first", "second_ends"), [(decline, "declined"),
                                                    (confirm, "409 status")])
async def test_a_decline_racing_another_answer_changes_the_placement_once(  # noqa: ANN001
        kafka, databases, first, second_ends):
    """A decline sent twice at once (a decline sent again, or two staff members answering for
    the person) may read the placement offered as the first answer did: on PostgreSQL the
    decline waits for the first's commit, then finds the placement changed. Declined already:
    it announces nothing and the person waits once. Confirmed meanwhile: refused (409), as a
    confirmation after a decline is."""
    if databases.backend != "postgres":
        return
    async with an_offer(kafka, databases) as (assignment, offer):
        code = offer["referral_code"]
        assert await racing(assignment, code, first, decline) == second_ends
        declines = [event["referral_code"] for event in await outbox(
            assignment, "ankommen.assignment.placement_declined.v1")]
        if first is decline:
            assert declines == [code]
            assert await waiting_count(assignment) == 1
        else:
            assert declines == []
            assert (await assignment.client.get(f"/referrals/{code}", headers=COORDINATOR)
                    ).json()["status"] == "confirmed"


async def waiting_for_a_lock(assignment) -> int:  # noqa: ANN001
    async with assignment.runtime.engine.connect() as connection:
        return await connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))
