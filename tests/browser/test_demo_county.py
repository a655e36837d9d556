"""``make demo`` against the stack ``make run`` starts: the demo travels through the county's
year on the stack's development clock, and afterwards the county makes sense relative to
today — and a person registered afterwards through the intake form gets a course that is open
for entry, which the provider confirms and records the enrolment of on its pages (issue 16's
acceptance).

The same loader as ``make demo`` (:func:`ankommen.tools.demo.load`), with fewer people, four
months instead of eleven and a step a month so the test stays quick; screenshots go to
demo-*.png among the test artifacts.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as datetime_time
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from ankommen.assignment.domain.courses import BOOKABLE, entry_deadline
from ankommen.shared.clock import COUNTY_TIME, SystemClock, move_clock_file, reset_clock_file
from ankommen.shared.events.contracts.assignment import Course
from ankommen.shared.identity.auth import Role
from ankommen.shared.stack import SERVICES
from ankommen.tools.demo import Stack, embedded_provider_kafka, load, provider_lists
from ankommen.tools.local_broker import local_access
from tests.browser.conftest import fill_interview, screenshot_path
from tests.support.polling import eventually
from tests.support.run_stack import AnkommenRun
from tests.support.tokens import ISSUER

pytestmark = pytest.mark.slow

CLOSED = {"declined", "withdrawn", "expired"}


@pytest.fixture
def running_stack(tmp_path) -> Iterator[tuple[Stack, AnkommenRun]]:  # noqa: ANN001
    """``ankommen run`` (what ``make run`` starts, on Apache Kafka) on free ports."""
    # The pages by pasted token (a demo token per role, as `make demo` prints them): the
    # development identity provider `make run` starts is tested in tests/e2e/test_make_run.py.
    run = AnkommenRun(tmp_path, settings={"ANKOMMEN_DEV_IDP": "false"}).start()
    try:
        yield Stack({name: run.url(name) for name in SERVICES}, ISSUER), run
    finally:
        run.interrupt()


async def signed_in(page: Page, base_url: str, stack: Stack, role: Role,
                    provider_id: str | None = None) -> None:
    token = stack.headers(role, provider_id)["Authorization"].removeprefix("Bearer ")
    await page.goto(f"{base_url}/login")
    await page.fill("textarea[name=token]", token)
    await page.click("form[action='/login'] button[type=submit]")


async def referrals(client: httpx.AsyncClient, stack: Stack, codes: list[str]
                    ) -> list[dict[str, Any]]:
    """Each placement as assignment tells a coordinator (offer day, course, pseudonym)."""
    async def one(code: str) -> dict[str, Any]:
        response = await client.get(f"{stack.urls['assignment']}/referrals/{code}",
                                    headers=stack.headers(Role.COORDINATOR))
        response.raise_for_status()
        return response.json()

    return list(await asyncio.gather(*(one(code) for code in codes)))


async def catalogue(client: httpx.AsyncClient, stack: Stack) -> dict[str, dict[str, Any]]:
    response = await client.get(f"{stack.urls['assignment']}/courses",
                                headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    return {course["course_id"]: course for course in response.json()}


#: Course types the new person can be made to fit by the form (all but the intensive course,
#: which asks for fast learning).
FITTABLE = {"general_integration", "first_orientation", "local", "job_related_b2",
            "job_related_c1", "job_related_profession", "literacy", "second_script", "women",
            "youth", "parents"}


async def fit_for(page: Page, course: Course) -> None:
    """Intake's form, changed so that the person fits ``course``: lives where it is held,
    speaks German at its entry level, has time whenever it meets, and is who it is for."""
    await page.fill("#region_key", course.region_key)
    await page.select_option("#german_level", course.entry_level)
    for slot in ("afternoons", "evenings"):
        await page.check(f"input[name='availability[]'][value={slot}]")
    if course.course_type in ("literacy", "second_script"):
        await page.check("#reads_latin_script-no")
        if course.course_type == "second_script":
            await page.check("input[name=literate_other_script]")
    elif course.course_type == "women":
        await page.select_option("#gender", "female")
    elif course.course_type == "youth":
        await page.fill("#birth_date", "2006-02-03")
    elif course.course_type == "parents":
        await page.fill("#children_needing_care", "1")


#: Places beyond its minimum an upcoming course must have for the new person to be offered one.
UPCOMING_MARGIN = 3


async def course_with_room(client: httpx.AsyncClient, stack: Stack, today: date) -> Course:
    """A course open for entry today with a free seat (the coordinator's course list) that one
    more person lets run: it has started, or has its minimum with one more (a course that has
    not started takes people only once they reach its minimum, docs/assignment.md)."""
    response = await client.get(f"{stack.urls['assignment']}/course-list.csv",
                                headers=stack.headers(Role.COORDINATOR))
    response.raise_for_status()
    free = {row["course_id"]: int(row["free_seats"])
            for row in csv.DictReader(io.StringIO(response.text))}

    def room(course: Course) -> bool:
        seats = free.get(course.course_id, 0)
        # An upcoming course needs its minimum with a margin: offers of the demo that expire
        # or are declined between this list and the allocation free seats again, and a course
        # one person short makes the new person wait (course_below_minimum) — seen twice.
        return seats > 0 and (course.starts_on <= today or
                              course.capacity - seats + 1 >= course.minimum_participants
                              + UPCOMING_MARGIN)

    courses = [Course.model_validate(course)
               for course in (await catalogue(client, stack)).values()]
    candidates = [course for course in courses
                  if course.course_type in FITTABLE and room(course)
                  and course.status in BOOKABLE and today <= entry_deadline(course)]
    assert candidates, "after the demo, no course open for entry has room: " + "; ".join(
        f"{c.course_id} {c.course_type} {c.status} {c.starts_on}–{c.ends_on} until "
        f"{entry_deadline(c)} free {free.get(c.course_id)}/{c.capacity} min "
        f"{c.minimum_participants}" for c in courses if c.ends_on >= today)
    # A course that runs already first: one more person is all it needs. An upcoming one runs
    # only if the allocation reaches its minimum with the new person, which the people placed
    # meanwhile (offers expire, declines) can change between this list and the allocation.
    return min(candidates, key=lambda course: (course.starts_on > today, course.starts_on))


async def test_demo_travels_through_a_year_and_a_new_person_is_placed_and_enrolled(
        running_stack, page):
    stack, run = running_stack
    async with httpx.AsyncClient(timeout=10) as client:
        await run.ready(client)
    lines: list[str] = []
    # As `make demo` does: each provider's reports signed in as that provider's principal.
    kafka = embedded_provider_kafka(run.data_dir, run.bootstrap_servers)
    assert local_access(run.data_dir, run.bootstrap_servers).authenticated
    clock_file = run.data_dir / "clock"
    summary = await load(stack, kafka, people=160, courses=36, seed=7, clock_file=clock_file,
                         months=4, steps_per_month=1, say=lines.append)
    assert summary.registered == 160 and summary.placements > 0, lines
    assert summary.rejected == summary.not_taken == summary.held == 0, "\n".join(lines)
    assert not clock_file.exists()  # the stack runs on today again
    # A second load on the populated stack travels nowhere.
    again = await load(stack, kafka, people=160, courses=36, seed=7, clock_file=clock_file,
                       say=lines.append)
    assert again.skipped and again.registered == 0 and not clock_file.exists(), lines
    today = SystemClock().today()

    async with httpx.AsyncClient(timeout=30) as client:
        courses = await catalogue(client, stack)

        def phase(course_id: str) -> str:
            course = courses[course_id]
            if date.fromisoformat(course["ends_on"]) < today:
                return "ended"
            return "running" if date.fromisoformat(course["starts_on"]) <= today else "upcoming"

        # Past courses ended with outcomes, running courses have attendance, upcoming courses
        # have offers (the Kafka provider's reports arrive asynchronously: poll).
        async def coherent() -> bool:
            lists = await provider_lists(client, stack)
            entries = [entry for found in lists.values() for entry in found]
            by_phase: dict[str, set[str]] = {"ended": set(), "running": set(),
                                             "upcoming": set()}
            for entry in entries:
                if entry["placement_status"] not in CLOSED:
                    by_phase[phase(entry["course_id"])].add(entry["status"]
                                                            if entry["status"] != "referred"
                                                            else entry["placement_status"])
            return ("completed" in by_phase["ended"] and "enrolled" in by_phase["running"]
                    and bool(by_phase["upcoming"] & {"offered", "confirmed"}))

        await eventually(coherent, interval=0.5, timeout=60)
        assert summary.reports["completion"] and summary.reports["attendance"], lines
        assert summary.reports["exam_result"] and summary.reports["discontinuation"], lines
        # No offer went to a course that had ended, or was past its late-entry deadline, on
        # the day the offer was made.
        lists = await provider_lists(client, stack)
        before = {entry["referral_code"] for found in lists.values() for entry in found}
        for placement in await referrals(client, stack, sorted(before)):
            course = Course.model_validate(courses[placement["course_id"]])
            assert date.fromisoformat(placement["offered_on"]) <= entry_deadline(course) \
                < course.ends_on, placement

    # Figures of the closed months are on the public dashboard.
    await page.goto(f"{stack.urls['monitoring']}/")
    await expect(page.locator("section.view table").first).to_be_visible()
    await page.screenshot(path=screenshot_path("demo-dashboard"), full_page=True)

    await signed_in(page, stack.urls["assignment"], stack, Role.COORDINATOR)
    await page.goto(f"{stack.urls['assignment']}/ui/courses")
    await expect(page.get_by_text("Allgemeiner Integrationskurs").first).to_be_visible()

    # Issue 16's acceptance: a person registered today through the intake form (German) …
    async with httpx.AsyncClient(timeout=30) as client:
        fitting = await course_with_room(client, stack, today)
    await signed_in(page, stack.urls["intake"], stack, Role.INTAKE_STAFF)
    await page.goto(f"{stack.urls['intake']}/")
    await fill_interview(page, "Haddad", "Rami")
    # … who fits a course with room (where, level, times, for whom) …
    await fit_for(page, fitting)
    await page.click("#register")
    await expect(page.locator("#confirmation")).to_have_text("Der Fall wurde angelegt.")
    pseudonym = await page.locator("#pseudonym").inner_text()
    await page.screenshot(path=screenshot_path("demo-new-person-registered"))

    # … is offered a seat in a course open for entry today …
    async with httpx.AsyncClient(timeout=30) as client:
        offer: dict[str, Any] = {}

        async def offered() -> bool:
            lists = await provider_lists(client, stack)
            new = sorted({entry["referral_code"] for found in lists.values()
                          for entry in found} - before)
            for placement in await referrals(client, stack, new):
                if placement["pseudonym"] == pseudonym:
                    offer.update(placement)
                    return True
            return False

        try:
            await eventually(offered, interval=0.5, timeout=30)
        except AssertionError:
            response = await client.get(f"{stack.urls['assignment']}/waiting-list",
                                        headers=stack.headers(Role.COORDINATOR))
            waiting = [person for person in response.json()["people"]
                       if person["pseudonym"] == pseudonym]
            raise AssertionError(f"no offer for the new person; waiting: {waiting}") from None
        course = courses[offer["course_id"]]
        assert offer["status"] == "offered" and date.fromisoformat(offer["offered_on"]) == today
        deadline = entry_deadline(Course.model_validate(course))
        assert today <= deadline < date.fromisoformat(course["ends_on"]), course

        # … its provider confirms it (API) …
        provider = offer["provider_id"]
        response = await client.post(
            f"{stack.urls['assignment']}/referrals/{offer['referral_code']}/confirm",
            headers=stack.headers(Role.PROVIDER, provider))
        assert response.status_code == 200, response.text

        async def confirmed_in_progress() -> bool:
            lists = await provider_lists(client, stack)
            return any(entry["referral_code"] == offer["referral_code"]
                       and entry["placement_status"] == "confirmed"
                       for entry in lists[provider])

        await eventually(confirmed_in_progress, interval=0.5, timeout=30)

    # … and records the enrolment on its pages: on the first day of the course (a course
    # that starts later is entered on its first day: the stack's clock moves there).
    started = max(today, date.fromisoformat(course["starts_on"]))
    if started > today:
        move_clock_file(run.data_dir / "clock",
                        datetime.combine(started, datetime_time(9), tzinfo=COUNTY_TIME))
    try:
        await signed_in(page, stack.urls["progress"], stack, Role.PROVIDER, provider)
        await page.goto(f"{stack.urls['progress']}/")
        await expect(page.locator("#participants tbody tr").first).to_be_visible()
        await page.click(f"text={offer['referral_code']}")
        await page.select_option("select[name=kind]", "enrolment")
        await page.fill("input[name=date]", started.isoformat())
        await page.click("#report-form button[type=submit]")
        await page.locator("#outcome.accepted").wait_for()
        await expect(page.locator("#status")).to_have_attribute("data-status", "enrolled")
        await page.screenshot(path=screenshot_path("demo-new-person-enrolled"), full_page=True)
    finally:
        reset_clock_file(run.data_dir / "clock")
