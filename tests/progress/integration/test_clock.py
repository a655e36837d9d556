"""Progress judges reports by its injected clock: moving the clock moves the day after which a
reported date is "in the future" (issue 16, time is explicit).

In process without a broker: the course and placement are recorded by progress's own
catalogue handlers (as in the reporting tests), and the accepted report's event waits in the
outbox."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import (
    CoursePublished,
    PlacementConfirmed,
    PlacementOffered,
)
from ankommen.shared.identity.auth import Role
from tests.progress.integration.catalogue import course, record_directly, referral_code
from tests.support.services import in_process, token


async def test_moving_the_clock_moves_what_is_in_the_future_for_reports(sqlite_databases):
    clock = MovableClock(datetime(2031, 3, 10, 12, tzinfo=UTC))
    code, pseudonym = referral_code(), secrets.token_urlsafe(24)
    offered = course("vhs-clock").model_copy(update={"starts_on": date(2031, 3, 1),
                                                     "ends_on": date(2031, 9, 30)})
    placement = {"placement_id": uuid.uuid4().hex, "pseudonym": pseudonym,
                 "referral_code": code, "course_id": offered.course_id,
                 "provider_id": "vhs-clock"}
    async with in_process("progress", bootstrap="127.0.0.1:1", clock=clock,
                          database_url=await sqlite_databases.url("progress")) as progress:
        await record_directly(progress, [
            (offered.course_id, CoursePublished(course=offered)),
            (pseudonym, PlacementOffered(**placement, offered_on=date(2031, 2, 20))),
            # A provider enrols only a confirmed placement.
            (pseudonym, PlacementConfirmed(**placement))])
        provider = token(Role.PROVIDER, "vhs-clock")

        def enrolment(report_id: str) -> dict:
            return {"kind": "enrolment", "report_id": report_id, "referral_code": code,
                    "started_on": "2031-03-12"}

        early = await progress.client.post("/reports", json=enrolment("enrol-early"),
                                           headers=provider)
        assert early.status_code == 422, early.text
        assert early.json()["errors"] == [{"field": "started_on", "reason": "in the future"}]

        # 23:30 UTC on 11 March is 12 March in the county (Europe/Berlin): no longer future.
        clock.advance(timedelta(days=1, hours=11, minutes=30))
        on_the_day = await progress.client.post("/reports", json=enrolment("enrol-on-time"),
                                                headers=provider)
        assert (on_the_day.status_code, on_the_day.json()["status"]) == (201, "accepted")
