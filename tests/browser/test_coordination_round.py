"""A coordinator prepares the monthly providers' meeting (*Koordinierungsrunde*) in a real
browser: the round's page with its five sections in words, accessible, printable without the
navigation, and its PDF with the same sections — one page kept as PNG."""

from __future__ import annotations

import uuid
from datetime import timedelta

from babel.dates import format_date

from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, register, waiting_count
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.intake.integration.test_invitation_letter import kept_as_png
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import served_over_http
from tests.support.tokens import issue_token


def days(offset: int) -> str:
    return (county_today() + timedelta(days=offset)).isoformat()


async def test_coordinator_reads_prints_and_downloads_the_round(kafka, sqlite_databases, page):
    bootstrap = kafka.bootstrap_servers
    async with served_over_http("assignment", bootstrap=bootstrap,
                                database_url=await sqlite_databases.url("assignment"),
                                disclosure_minimum=1) as (base_url, assignment):
        # A course running for two more weeks' entry and ending within the month's six weeks
        # (mornings), one starting in two weeks short of its minimum and one with free seats
        # (both evenings): the two people free in the mornings are placed in the first; the
        # one free only at weekends waits, fitting nothing.
        courses = {"short": dict(starts_on=days(-8), ends_on=days(32), capacity=12,
                                 provider_name="VHS Heidekreis"),
                   "risky": dict(starts_on=days(14), ends_on=days(200), minimum_participants=8,
                                 schedule=["evenings"], title="Abendkurs Munster"),
                   "later": dict(starts_on=days(21), ends_on=days(220), schedule=["evenings"],
                                 title="Abendkurs Soltau", region_key="03358021")}
        for name, fields in courses.items():
            created = await assignment.client.post("/courses", json=course_body(
                f"{name}-{uuid.uuid4().hex[:6]}", **fields), headers=COORDINATOR)
            assert created.status_code == 201, created.text
        for _ in range(2):
            await register(bootstrap, 20)
        await register(bootstrap, 10, availability=["weekends"])
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 1,
                         what="two placed, one waiting")

        await page.goto(f"{base_url}/login?next=/ui/round")
        await page.fill("#token", issue_token(Role.COORDINATOR, "koordination"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/ui/round")
        month = format_date(county_today(), "LLLL y", locale="de")
        assert await page.locator("h1").inner_text() == \
            f"Koordinierungsrunde Landkreis Heidekreis – {month}"
        assert await page.locator("section.round-section h2").all_inner_texts() == [
            "1. Freie Plätze je Kurs", "2. Kurse unter der Mindestteilnehmerzahl",
            "3. Kursende in den nächsten Wochen", "4. Warteliste nach Bedarf",
            "5. Ungedeckter Bedarf nach Region"]
        seats = await page.locator("#free-seats-table").inner_text()
        assert "VHS Heidekreis" in seats and "Soltau" in seats
        risky = await page.locator("#at-risk-table").inner_text()
        assert "Abendkurs Munster" in risky and "verschoben" in risky
        steps = await page.locator("#steps-table").inner_text()
        assert "Berufssprachkurs" in steps and "2" in steps
        assert await page.locator("#ending-people-table tbody tr").count() == 2
        waiting = await page.locator("#waiting-table").inner_text()
        assert "am Wochenende" in waiting or "Wochenende" in waiting
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("coordination-round"), full_page=True)

        # Printed: the agenda only, no navigation or month picker.
        await page.emulate_media(media="print")
        assert not await page.locator("header.top").is_visible()
        assert not await page.locator(".round-controls").is_visible()
        await page.emulate_media(media="screen")

        pdf = await page.request.get(f"{base_url}/ui/round.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        document = kept_as_png(await pdf.body(), "coordination-round-pdf")
        text = "\n".join(document[index].get_textpage().get_text_range()
                         for index in range(len(document)))
        assert f"Koordinierungsrunde Landkreis Heidekreis – {month}" in text
        for title in ("Freie Plätze je Kurs", "Kurse unter der Mindestteilnehmerzahl",
                      "Kursende in den nächsten Wochen", "Warteliste nach Bedarf",
                      "Ungedeckter Bedarf nach Region", "Abendkurs Munster"):
            assert title in text, title
        assert f"Seite 1 von {len(document)}" in text
        # The meeting's PDF counts people; the pseudonyms stay on the coordinator's page.
        assert "Teilnehmende (nur Pseudonym)" not in text

        await page.click("a[rel=next]")
        await page.wait_for_url(f"{base_url}/ui/round?month=*")
        assert month not in await page.locator("h1").inner_text()
