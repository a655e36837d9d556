"""An ended course never receives an offer (issue 16): allocation, the preview and the course
list follow the courses' dates by the service's clock, whatever their stored status — a course
that ended yesterday and one past its late-entry deadline take nobody, one within its deadline
does, until the clock passes that deadline. The catalogue page shows an ended course as ended.

The service in process with a movable clock; registrations are handled as the cases consumer
handles them (nothing here waits for the broker)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ankommen.assignment.adapters.tables import placements
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.web.pages import session_cookie
from tests.assignment.integration.test_event_batches import delivery
from tests.assignment.support import COORDINATOR, course_body
from tests.support.services import RunningService, in_process
from tests.support.surveys import survey

#: 10 March 2031 in the county.
NOW = datetime(2031, 3, 10, 9, tzinfo=UTC)
COURSES = {
    # Left "open" by its provider, but its last day was yesterday.
    "ended-yesterday": {"starts_on": "2030-09-01", "ends_on": "2031-03-09"},
    # Running, its late-entry deadline was yesterday.
    "past-deadline": {"starts_on": "2031-01-01", "ends_on": "2031-06-30",
                      "entry_until": "2031-03-09"},
    # Running, takes newcomers until the day after tomorrow.
    "within-deadline": {"starts_on": "2031-03-01", "ends_on": "2031-08-31",
                        "entry_until": "2031-03-12"},
}


async def _register(assignment: RunningService, clock: MovableClock) -> str | None:
    """A newly registered person; the course they were offered, if any."""
    handle = applying_then_allocating(CASE_EVENTS, assignment.runtime.settings.allocation_policy,
                                      in_bulk=CASE_EVENTS_IN_BULK)
    pseudonym = secrets.token_urlsafe(24)
    async with assignment.runtime.uow() as uow:
        await handle(uow, [delivery(CaseRegistered(
            pseudonym=pseudonym, registered_on=clock.today(),
            survey=Survey(**survey(region_key="03358021", german_level="A1"))))])
        await uow.commit()
    async with assignment.runtime.sessions() as session:
        return await session.scalar(select(placements.c.course_id).where(
            placements.c.pseudonym == pseudonym))


async def test_only_a_course_within_its_entry_deadline_receives_offers(kafka, sqlite_databases):
    clock = MovableClock(NOW)
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment"),
                          county_districts="03358", clock=clock) as assignment:
        client = assignment.client
        for course_id, dates in COURSES.items():
            created = await client.post("/courses", json=course_body(course_id, **dates),
                                        headers=COORDINATOR)
            assert created.status_code == 201, created.text
        # A deadline after the course's end (or before its start) is no deadline.
        refused = await client.post("/courses", json=course_body(
            "bad-deadline", starts_on="2031-03-01", ends_on="2031-08-31",
            entry_until="2031-09-01"), headers=COORDINATOR)
        assert refused.status_code == 422 and "entry_until" in refused.text

        assert await _register(assignment, clock) == "within-deadline"
        clock.advance(timedelta(days=2))  # 12 March: the deadline day itself
        assert await _register(assignment, clock) == "within-deadline"
        clock.advance(timedelta(days=1))  # 13 March: past every deadline
        assert await _register(assignment, clock) is None
        preview = (await client.post("/allocations", json={"dry_run": True},
                                     headers=COORDINATOR)).json()
        assert preview["placements"] == [] and len(preview["waiting"]) == 1
        listed = (await client.get("/course-list.csv", headers=COORDINATOR)).text
        assert not any(course_id in listed for course_id in COURSES)

        bearer = COORDINATOR["Authorization"].removeprefix("Bearer ")
        signed_in = {"Cookie": f"{session_cookie('assignment')}={bearer}"}
        page = (await client.get("/ui/courses?lang=en", headers=signed_in)).text
        assert page.count('data-status="ended"') == 1
        assert page.count('data-status="running"') == 2
        assert "2031-03-12" in page  # the deadline a coordinator set
