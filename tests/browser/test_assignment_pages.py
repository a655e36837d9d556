"""A coordinator in a real browser: signs in, previews an allocation with its explanation,
runs it, and reads the course list, the waiting list and the catalogue that follow from it."""

from __future__ import annotations

import uuid

from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, register, waiting_count
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.support.polling import eventually
from tests.support.services import served_over_http, token
from tests.support.tokens import issue_token


async def test_coordinator_previews_runs_allocation_and_reads_the_lists(
        kafka, sqlite_databases, page):
    bootstrap = kafka.bootstrap_servers
    async with served_over_http("assignment", bootstrap=bootstrap,
                                database_url=await sqlite_databases.url("assignment"),
                                allocate_on_events=False) as (base_url, assignment):
        longest = await register(bootstrap, 30)
        newest = await register(bootstrap, 10)
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 2,
                         what="both cases waiting")
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        created = await assignment.client.post("/courses", json=course_body(
            course_id, capacity=1, minimum_participants=0), headers=COORDINATOR)
        assert created.status_code == 201

        await page.goto(f"{base_url}/ui/allocation")
        assert "/login" in page.url
        await page.fill("#token", issue_token(Role.COORDINATOR, "koordination"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/ui/allocation")
        preview = page.locator("#preview tbody tr")
        assert await preview.count() == 1
        assert longest in await preview.inner_text()
        explanation = await preview.locator(".explanation").inner_text()
        # Words, not the rules' and score's internal names (issue 19).
        assert "Sprachniveau passt: erfüllt" in explanation
        assert "Tage bis Kursbeginn: 14" in explanation
        assert newest in await page.locator("#still-waiting").inner_text()
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("assignment-allocation-preview"))

        await page.click("#run")
        await page.wait_for_selector("#allocated")
        assert await page.locator("#allocated").inner_text() == "Vergeben: 1 Plätze."
        assert await page.locator("#preview").count() == 0

        await page.goto(f"{base_url}/course-list?district=03358&level=A1")
        row = page.locator("#course-list tbody tr", has_text=course_id)
        cells = row.locator("td")
        assert [await cells.nth(6).inner_text(), await cells.nth(7).inner_text()] == ["0", "1"]
        await assert_accessible(page)

        await page.goto(f"{base_url}/ui/waiting-list")
        waiting = await page.locator("#waiting").inner_text()
        assert newest in waiting and longest not in waiting
        assert "passende Kurse voll" in waiting and "courses_full" not in waiting
        await assert_accessible(page)

        await page.goto(f"{base_url}/ui/unmet-demand")
        assert "/login" not in page.url
        await assert_accessible(page)

        await page.goto(f"{base_url}/ui/courses?lang=en")
        assert await page.locator("h1").inner_text() == "Catalogue"
        assert await page.locator("#catalogue tbody tr").count() == 1
        await assert_accessible(page)

        # A provider's course waits for the coordinator, who approves it on the catalogue page.
        draft_id = f"c-{uuid.uuid4().hex[:6]}"
        drafted = await assignment.client.post("/courses", json=course_body(
            draft_id, "vhs-anderer-traeger"), headers=token(Role.PROVIDER, "vhs-anderer-traeger"))
        assert drafted.json()["approval"] == "draft"
        await page.goto(f"{base_url}/ui/courses?lang=de")
        cell = page.locator("#catalogue tbody tr", has_text=draft_id).locator(".approval")
        assert "wartet auf Freigabe" in await cell.inner_text()
        # Approving shows first what it would do (issue 19), then approves.
        await cell.locator("a.approve").click()
        await page.wait_for_url(f"{base_url}/ui/courses/{draft_id}/approve")
        await page.click("#confirm")
        await page.wait_for_url(f"{base_url}/ui/courses")
        assert await cell.get_attribute("data-approval") == "approved"
        assert "freigegeben" in await cell.inner_text()
        assert await cell.locator("a.approve").count() == 0
        reviews = (await assignment.client.get(f"/courses/{draft_id}/reviews",
                                               headers=COORDINATOR)).json()
        assert [(each["decision"], each["actor"]) for each in reviews] == [
            ("approved", "koordination")]
