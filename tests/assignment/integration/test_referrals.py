"""Providers confirm or decline a placement by its referral code, the only identifier they
have: only in their own courses, mistyped codes are caught, problems name the field."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from sqlalchemy import text

from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox, register, waiting_count
from tests.support.polling import eventually
from tests.support.services import in_process, token

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


async def test_two_confirmations_racing_for_one_offer_announce_it_once(kafka, databases):  # noqa: ANN001
    """A confirmation sent again while the first still waits (in a restarting service's
    backlog, as the crash proof found) may read the placement offered as the first did: on
    PostgreSQL the second waits for the first's commit, then finds it confirmed and announces
    nothing. (SQLite lets one writer at a time begin: no such race.)"""
    if databases.backend != "postgres":
        return
    from ankommen.assignment.service.placements import (
        confirm_placement,
        placement_by_referral_code,
    )
    from ankommen.shared.identity.auth import Principal

    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await databases.url("assignment")) as assignment:
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(course_id, capacity=1),
                                     headers=COORDINATOR)
        await register(bootstrap, 20)
        offer = (await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda o: len(o) == 1, what="an offer"))[0]
        provider = Principal("vhs", Role.PROVIDER, "vhs-heidekreis")
        uow = assignment.runtime.uow
        async with uow() as first:
            placement = await placement_by_referral_code(first, provider,
                                                         offer["referral_code"])
            await confirm_placement(first, provider, placement.placement_id)

            async def second_confirmation() -> str:
                async with uow() as second:
                    confirmed = await confirm_placement(second, provider,
                                                        placement.placement_id)
                    await second.commit()
                    return confirmed.status.value

            # Reads "offered" (the first has not committed), then waits for its row lock.
            racing = asyncio.create_task(second_confirmation())
            await eventually(lambda: waiting_for_a_lock(assignment),
                             until=lambda count: count == 1, what="the second one waits")
            await first.commit()
        assert await racing == "confirmed"
        assert len(await outbox(assignment, "ankommen.assignment.placement_confirmed.v1")) == 1


async def waiting_for_a_lock(assignment) -> int:  # noqa: ANN001
    async with assignment.runtime.engine.connect() as connection:
        return await connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))
