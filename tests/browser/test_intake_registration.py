"""Intake staff in a real browser: sign in, fill the interview form, see the confirmation;
register a spelling variant of the same person and see the duplicate warning inline, then
confirm "same person"."""

from __future__ import annotations

from ankommen.shared.identity.auth import Role
from tests.browser.conftest import assert_accessible, fill_interview, screenshot_path
from tests.support.services import served_over_http
from tests.support.tokens import issue_token


async def test_staff_register_a_person_and_are_warned_of_a_spelling_variant(
        kafka, sqlite_databases, page):
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")
                                ) as (base_url, intake):
        await page.goto(f"{base_url}/")
        assert "/login" in page.url
        # The frame's own pages pass axe too, in both languages: sign-in and an error page.
        await page.goto(f"{base_url}/login?reason=login.invalid")
        assert await page.locator("p.error").inner_text() == \
            "Der Schlüssel ist ungültig oder abgelaufen."
        await assert_accessible(page)
        await page.goto(f"{base_url}/login?lang=en")
        await assert_accessible(page)
        await page.goto(f"{base_url}/no-such-page")
        assert await page.locator("h1").inner_text() == \
            "This page or entry does not exist (any more)"
        await assert_accessible(page)
        await page.goto(f"{base_url}/login?lang=de")
        await page.fill("#token", issue_token(Role.INTAKE_STAFF, "auslaenderbehoerde"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/")
        assert await page.locator("legend").first.inner_text() == "Person"

        await fill_interview(page, "Al-Hassan", "Mohammed")
        await page.click("#register")
        await page.wait_for_selector("#confirmation")
        assert await page.locator("#confirmation").inner_text() == "Der Fall wurde angelegt."
        pseudonym = await page.locator("#pseudonym").inner_text()
        await page.screenshot(path=screenshot_path("intake-registered"))

        await page.goto(f"{base_url}/")
        await fill_interview(page, "Alhasan", "Muhammad")
        await page.select_option("#german_level", "A2")
        await page.click("#register")
        warning = page.locator("#duplicate-warning")
        await warning.wait_for()
        assert "wahrscheinlich schon erfasst" in await warning.inner_text()
        assert await warning.locator("table.candidate").count() == 1
        assert await page.input_value("#family_name") == "Alhasan"
        await page.screenshot(path=screenshot_path("intake-duplicate-warning"), full_page=True)

        await warning.locator("button[value^=same_person]").click()
        await page.wait_for_selector("#confirmation")
        assert "aktualisiert" in await page.locator("#confirmation").inner_text()
        assert await page.locator("#pseudonym").inner_text() == pseudonym

        await page.goto(f"{base_url}/?lang=en")
        assert await page.locator("legend").first.inner_text() == "Identity"
