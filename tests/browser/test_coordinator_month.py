"""A coordinator's month in a real browser (issue 19): approves a provider's new course after
reading what it would do, previews and runs the allocation, places a person by hand with a
reason, postpones a course below its minimum and sees its people reallocated, and prints the
month's coordination round — every page
checked by axe-core (WCAG 2.1 AA) and kept as a screenshot.

Assignment served over HTTP without a broker (nothing here crosses one): registrations are
handled as the cases consumer handles them; the county allocates when the coordinator says so.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from ankommen.shared.identity.auth import Role
from tests.assignment.integration.test_coordinator_actions import register
from tests.assignment.support import COORDINATOR, course_body
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.intake.integration.test_invitation_letter import kept_as_png
from tests.support.county_day import county_today
from tests.support.services import served_over_http, token
from tests.support.tokens import issue_token

pytestmark = pytest.mark.timeout(90)


def day(days: int) -> str:
    return (county_today() + timedelta(days=days)).isoformat()


async def test_a_coordinators_month(sqlite_databases, page):
    async with served_over_http("assignment", bootstrap="127.0.0.1:1",
                                database_url=await sqlite_databases.url("assignment"),
                                allocate_on_events=False) as (base_url, assignment):
        first, second = await register(assignment, 40), await register(assignment, 30)
        beginner = await register(assignment, 20, german_level="A0")
        soltau = f"c-{uuid.uuid4().hex[:6]}"
        assert (await assignment.client.post("/courses", json=course_body(
            soltau, title="Integrationskurs Soltau", capacity=2, minimum_participants=2,
            provider_name="VHS Heidekreis", starts_on=day(14), ends_on=day(180)),
            headers=COORDINATOR)).status_code == 201
        walsrode = f"c-{uuid.uuid4().hex[:6]}"
        assert (await assignment.client.post("/courses", json=course_body(
            walsrode, "vhs-anderer-traeger", title="Integrationskurs Walsrode", capacity=3,
            starts_on=day(40), ends_on=day(220)),
            headers=token(Role.PROVIDER, "vhs-anderer-traeger"))).status_code == 201

        async def seen(name: str) -> None:
            await assert_accessible(page)
            await page.screenshot(path=screenshot_path(f"coordinator-month-{name}"),
                                  full_page=True)

        # Sign in; the catalogue shows the provider's new course waiting for approval.
        await page.goto(f"{base_url}/ui/courses")
        await page.fill("#token", issue_token(Role.COORDINATOR, "koordination"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/ui/courses")
        new = page.locator("#catalogue tbody tr", has_text="Integrationskurs Walsrode")
        assert "wartet auf Freigabe" in await new.locator(".approval").inner_text()
        await seen("catalogue")
        # The form for a new course: pickers, nothing chosen; sent empty, German errors at
        # each field.
        await page.click("#new-course")
        await page.wait_for_url(f"{base_url}/ui/courses/new")
        await seen("course-form")
        await page.click("#save")
        await page.wait_for_selector("#errors")
        assert await page.locator("#title-error").inner_text() == "Bitte angeben."
        await seen("course-form-errors")
        await page.goto(f"{base_url}/ui/courses")

        # 1. Approve it — after reading what it would do.
        await new.locator("a.approve").click()
        await page.wait_for_url(f"{base_url}/ui/courses/{walsrode}/approve")
        assert await page.locator("#losing-none").count() == 1
        assert await page.locator("#offers tbody tr").count() >= 1
        await seen("approve-confirm")
        await page.click("#confirm")
        await page.wait_for_url(f"{base_url}/ui/courses")
        assert await new.locator(".approval").get_attribute("data-approval") == "approved"

        # 2. The allocation: the preview first, then for real.
        await page.goto(f"{base_url}/ui/allocation")
        preview = await page.locator("#preview").inner_text()
        assert first in preview and second in preview and beginner not in preview
        await seen("allocation-preview")
        await page.click("#run")
        await page.wait_for_selector("#allocated")
        assert await page.locator("#allocated").inner_text() == "Vergeben: 2 Plätze."
        await seen("allocation-run")

        # 3. The waiting list, filtered by level: the beginner fits no course (the level).
        await page.goto(f"{base_url}/ui/waiting-list")
        await page.select_option("#level", "A0")
        await page.click("#filter")
        await page.wait_for_url(f"{base_url}/ui/waiting-list?*level=A0*")
        row = page.locator("#waiting tbody tr", has_text=beginner)
        assert "Sprachniveau passt" in await row.locator(".why-not").inner_text()
        assert await page.locator("#waiting tbody tr").count() == 1
        await seen("waiting-list")
        # ... and is placed by hand, with a reason (none given first: a German error).
        await row.locator("button.place-by-hand").click()
        await page.wait_for_url(f"{base_url}/ui/manual-placement/form")
        await page.check(f"input[name=course_id][value={walsrode}]")
        await seen("manual-placement")
        await page.click("#place")
        await page.wait_for_selector("#reason-error")
        assert await page.locator("#reason-error").inner_text() == "Bitte angeben."
        await seen("manual-placement-error")
        await page.check(f"input[name=course_id][value={walsrode}]")
        await page.fill("#reason", "Spricht nach Auskunft der Sprachschule schon A1")
        await page.click("#place")
        await page.wait_for_url(f"{base_url}/ui/placements/*")
        assert "Spricht nach Auskunft der Sprachschule" in await page.locator(
            ".explanation").inner_text()
        assert "koordination" in await page.locator("#audit").inner_text()
        await seen("placement")

        # 4. Postpone Soltau: it holds its two people now, and the page shows that they would
        # lose their seats and be offered Walsrode (Soltau would start below its minimum).
        await page.goto(f"{base_url}/ui/courses")
        await page.locator("#catalogue tbody tr", has_text="Integrationskurs Soltau").locator(
            "a.postpone").click()
        await page.wait_for_url(f"{base_url}/ui/courses/{soltau}/postpone")
        await seen("postpone-date")
        await page.fill("#starts_on", day(70))
        await page.click("#show-consequences")
        await page.wait_for_selector("#consequences")
        losing = await page.locator("#losing").inner_text()
        assert first in losing and second in losing
        offers = await page.locator("#offers").inner_text()
        assert first in offers and second in offers and "Integrationskurs Walsrode" in offers
        assert "Integrationskurs Soltau" in await page.locator("#below-minimum").inner_text()
        await seen("postpone-confirm")
        await page.click("#confirm")
        await page.wait_for_url(f"{base_url}/ui/courses")
        moved = (await assignment.client.get(f"/courses/{soltau}", headers=COORDINATOR)).json()
        assert (moved["starts_on"], moved["postponed_from"]) == (day(70), day(14))

        # Its people wait again with their place, and the next allocation offers them
        # Walsrode.
        await page.goto(f"{base_url}/ui/waiting-list")
        waiting = await page.locator("#waiting").inner_text()
        assert first in waiting and second in waiting
        await seen("waiting-again")
        await page.goto(f"{base_url}/ui/allocation")
        await page.click("#run")
        await page.wait_for_selector("#allocated")
        assert await page.locator("#allocated").inner_text() == "Vergeben: 2 Plätze."
        await seen("reallocated")
        placed = (await assignment.client.get("/waiting-list", headers=COORDINATOR)).json()
        assert placed["count"] == 0

        # 5. The month's coordination round: Walsrode full with the three, Soltau postponed
        # and empty; printed as the meeting's PDF.
        await page.click("nav a[href='/ui/round']")
        await page.wait_for_url(f"{base_url}/ui/round")
        seats = page.locator("#free-seats-table tbody tr")
        walsrode_row = await seats.filter(has_text="Integrationskurs Walsrode").inner_text()
        assert walsrode_row.split("\t")[-4:-1] == ["3", "3", "0"], walsrode_row
        soltau_row = await seats.filter(has_text="Integrationskurs Soltau").inner_text()
        assert soltau_row.split("\t")[-4:-1] == ["0", "2", "2"], soltau_row
        await seen("round")
        pdf = await page.request.get(f"{base_url}/ui/round.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        document = kept_as_png(await pdf.body(), "coordinator-month-round-pdf")
        text = "\n".join(document[index].get_textpage().get_text_range()
                         for index in range(len(document)))
        assert "Integrationskurs Walsrode" in text and "Integrationskurs Soltau" in text
