"""The invitation letter's pages in a real browser: the language picker (a person whose first
language has no letter yet) and a refusal, both German first and English, both passing
axe-core's WCAG 2.1 AA rules; choosing Arabic on the picker answers the PDF."""

from __future__ import annotations

from ankommen.intake.service.placements import record_course
from ankommen.shared.events.contracts.assignment import CoursePublished
from ankommen.shared.identity.auth import Role
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.intake.integration.test_invitation_letter import COURSE, placed, registered
from tests.support.event_examples import decoded
from tests.support.services import served_over_http
from tests.support.tokens import issue_token


async def test_the_letter_pages_ask_for_the_language_and_refuse_in_german_accessibly(
        kafka, sqlite_databases, page):
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")
                                ) as (base_url, intake):
        person = await registered(intake, "Barzani", ["kur"])
        async with intake.runtime.uow() as uow:
            await record_course(uow, decoded(CoursePublished(course=COURSE)))
            await uow.commit()  # as the consumer does, with the inbox row
        code = await placed(intake, person)
        letter = f"{base_url}/ui/cases/{person['case_id']}/letter?referral_code={code}"

        await page.goto(f"{base_url}/login")
        await page.fill("#token", issue_token(Role.INTAKE_STAFF, "integrationsbuero"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/")
        await page.goto(letter)
        assert await page.locator("h1").inner_text() == "Einladungsschreiben"
        assert await page.locator("#language").input_value() == ""
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("intake-letter-language"))
        # The PDF itself is a download for headless chromium: the form's request is checked,
        # and the same request, with the page's session, answers the PDF.
        async with page.expect_request(lambda request: "language=ara" in request.url) as sent:
            await page.select_option("#language", "ara")
            await page.click("#print-letter")
        answer = await page.request.get((await sent.value).url)
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/pdf"

        await page.goto(f"{letter}&language=xyz")
        assert "Für die Sprache „xyz“ gibt es kein Einladungsschreiben" in \
            await page.locator("#letter-error").inner_text()
        await assert_accessible(page)
        await page.goto(f"{letter}&language=xyz&lang=en")
        assert "There is no invitation letter in the language “xyz”" in \
            await page.locator("#letter-error").inner_text()
        await assert_accessible(page)
        await page.goto(letter)
        assert await page.locator("h1").inner_text() == "Invitation letter"
        await assert_accessible(page)
