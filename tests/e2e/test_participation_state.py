"""One participation state across services (issue 16, item 4; docs/participation.md), over the
real broker: assignment offers two people a seat; one offer is confirmed, the provider enrols
that person and reports the completion in progress; the other person's enrolment is refused
because nobody confirmed the offer. After every step, once the events have flowed,
assignment's placement status equals progress's combined state — never "offered" in one and
"enrolled" in the other."""

from __future__ import annotations

import uuid
from datetime import timedelta

from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox, register
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, token

OFFERED = "ankommen.assignment.placement_offered.v1"
PROVIDER = "vhs-heidekreis"
TODAY = county_today()


async def assignment_status(assignment: RunningService, placement_id: str) -> str:
    response = await assignment.client.get(f"/placements/{placement_id}", headers=COORDINATOR)
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def progress_states(progress: RunningService) -> dict[str, str]:
    """Progress's combined state per referral code, for placements whose course it knows."""
    response = await progress.client.get("/participants", headers=token(Role.PROVIDER,
                                                                          PROVIDER))
    assert response.status_code == 200, response.text
    return {item["referral_code"]: item["state"] for item in response.json()
            if item["course_title"]}


async def states_agree(assignment: RunningService, progress: RunningService,
                       offers: list[dict], expected: list[str]) -> None:
    """Wait until both services show ``expected`` for ``offers`` (the events have flowed)."""
    async def both() -> tuple[list[str], list[str]]:
        known = await progress_states(progress)
        return ([await assignment_status(assignment, offer["placement_id"]) for offer in offers],
                [known.get(offer["referral_code"], "unknown") for offer in offers])

    await eventually(both, until=lambda found: found == (expected, expected), timeout=30,
                     what=f"assignment and progress both at {expected}")


def report(kind: str, code: str, **fields: object) -> dict:
    return {"kind": kind, "report_id": uuid.uuid4().hex, "referral_code": code, **fields}


async def test_states_agree_across_services_through_enrolment_and_a_refused_unconfirmed_one(
        kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment")) as assignment, \
            in_process("progress", bootstrap=bootstrap,
                       database_url=await sqlite_databases.url("progress")) as progress:
        # A course that started a month ago and still takes newcomers.
        created = await assignment.client.post("/courses", headers=COORDINATOR, json=course_body(
            f"c-{uuid.uuid4().hex[:6]}", capacity=2,
            starts_on=(TODAY - timedelta(days=30)).isoformat(),
            ends_on=(TODAY + timedelta(days=150)).isoformat()))
        assert created.status_code == 201, created.text
        for days in (20, 10):
            await register(bootstrap, days)
        offers = await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda found: len(found) == 2, what="two offers")
        walked, unconfirmed = offers
        confirmed = await assignment.client.post(
            f"/placements/{walked['placement_id']}/confirm", headers=COORDINATOR)
        assert confirmed.status_code == 200, confirmed.text
        await states_agree(assignment, progress, offers, ["confirmed", "offered"])

        provider = token(Role.PROVIDER, PROVIDER)
        refused = await progress.client.post("/reports", headers=provider, json=report(
            "enrolment", unconfirmed["referral_code"],
            started_on=(TODAY - timedelta(days=20)).isoformat()))
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"] == [{
            "field": "referral_code",
            "reason": "the placement is not confirmed yet: confirm it first"}]

        enrolled = await progress.client.post("/reports", headers=provider, json=report(
            "enrolment", walked["referral_code"],
            started_on=(TODAY - timedelta(days=20)).isoformat()))
        assert enrolled.status_code == 201, enrolled.text
        await states_agree(assignment, progress, offers, ["enrolled", "offered"])

        completed = await progress.client.post("/reports", headers=provider, json=report(
            "completion", walked["referral_code"],
            completed_on=(TODAY - timedelta(days=1)).isoformat()))
        assert completed.status_code == 201, completed.text
        await states_agree(assignment, progress, offers, ["completed", "offered"])
