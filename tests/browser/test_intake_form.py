"""Intake's registration form as a clerk uses it (Debian chromium): German names typed into
the pickers, a missing answer refused in German with every entered value still there, then
corrected; the same form in English; and a registration from the first field to the
confirmation with the keyboard alone. axe-core on the blank form, the refused form and the
confirmation, in German and English."""

from __future__ import annotations

from playwright.async_api import Page

from ankommen.shared.identity.auth import Role
from ankommen.shared.web.pages import session_cookie
from tests.browser.conftest import assert_accessible, fill_interview, screenshot_path
from tests.support.services import served_over_http
from tests.support.tokens import issue_token

#: Values the first test enters beyond fill_interview's, to find them again after the refusal.
MORE = {"#birth_place": "Aleppo", "#nationalities": "Syrien, Irak", "#birth_country": "Syrien",
        "#other_languages": "Englisch, Kurdisch (Kurmandschi)", "#phone": "+49 5191 12345"}


async def signed_in(page: Page, base_url: str) -> None:
    """Intake staff's session cookie, as the sign-in page would set it."""
    await page.context.add_cookies([{"name": session_cookie("intake"), "url": base_url,
                                     "value": issue_token(Role.INTAKE_STAFF, "test")}])


async def test_german_names_a_refused_answer_in_german_with_the_values_kept_then_english(
        kafka, sqlite_databases, page):
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")
                                ) as (base_url, _):
        await signed_in(page, base_url)
        await page.goto(f"{base_url}/")
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("intake-form-blank"), full_page=True)

        await fill_interview(page, "Nasser", "Lina")
        for selector, value in MORE.items():
            await page.fill(selector, value)
        await page.check("#employed")
        await page.check("input[name='availability[]'][value=evenings]")
        await page.fill("#max_travel_minutes", "")
        await page.click("#register")
        summary = page.locator("#error-summary")
        await summary.wait_for()
        assert await summary.locator("li").all_inner_texts() == [
            "Längster Weg (Minuten): Bitte angeben."]
        assert await page.locator("#max_travel_minutes-error").inner_text() == "Bitte angeben."
        assert await page.get_attribute("#max_travel_minutes", "aria-invalid") == "true"
        active = "document.activeElement.id"
        assert await page.evaluate(active) == "error-summary"
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.wait_for_function(f"{active} === 'max_travel_minutes'")
        kept = {"#family_name": "Nasser", "#given_names": "Lina", "#birth_date": "1990-03-04",
                "#region_key": "Soltau", "#first_languages": "Arabisch",
                "#interview_language": "Arabisch", "#schooling_years": "9", **MORE}
        for selector, value in kept.items():
            assert await page.input_value(selector) == value, selector
        for selector, value in {"#gender": "male", "#german_level": "A1",
                                "#residence_status": "recognised_refugee",
                                "#school_qualification": "lower_secondary"}.items():
            assert await page.input_value(selector) == value, selector
        for checked in ("#reads_latin_script-yes", "#employed", "#availability-mornings",
                        "#availability-evenings", "#goals-work"):
            assert await page.is_checked(checked), checked
        assert not await page.is_checked("#reads_latin_script-no")
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("intake-form-refused"), full_page=True)

        await page.fill("#max_travel_minutes", "45")
        await page.click("#register")
        await page.wait_for_selector("#confirmation")
        assert await page.locator("#confirmation").inner_text() == "Der Fall wurde angelegt."
        await assert_accessible(page)

        await page.goto(f"{base_url}/?lang=en")
        await assert_accessible(page)
        await page.click("#register")
        await summary.wait_for()
        entries = await summary.locator("li").all_inner_texts()
        assert "Family name: Please fill this in." in entries, entries
        assert await page.locator("#gender-error").inner_text() == "Please fill this in."
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("intake-form-refused-en"), full_page=True)
        await fill_interview(page, "Okonkwo-Brandt", "Chidinma")
        await page.fill("#birth_date", "1971-11-30")
        await page.click("#register")
        await page.wait_for_selector("#confirmation")
        assert await page.locator("#confirmation").inner_text() == "The case was created."
        await assert_accessible(page)


async def focus_by_tab(page: Page, element_id: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until ``element_id`` has the focus, as a keyboard user does."""
    for _ in range(80):
        if await page.evaluate("document.activeElement && document.activeElement.id"
                               ) == element_id:
            return
        await page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"#{element_id} is not reachable with the keyboard")


async def type_into(page: Page, element_id: str, text: str) -> None:
    await focus_by_tab(page, element_id)
    await page.keyboard.type(text)


async def choose(page: Page, element_id: str, steps: int = 1) -> None:
    """A select: arrow keys from its "bitte wählen" to the option ``steps`` further down."""
    await focus_by_tab(page, element_id)
    for _ in range(steps):
        await page.keyboard.press("ArrowDown")


async def tick(page: Page, element_id: str) -> None:
    await focus_by_tab(page, element_id)
    await page.keyboard.press("Space")


async def test_a_person_is_registered_with_the_keyboard_alone(kafka, sqlite_databases, page):
    """Tab and Shift+Tab to move, typing for text, arrow keys for selects, Space for radios
    and checkboxes, Enter to submit: no click, no fill."""
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")
                                ) as (base_url, _):
        await signed_in(page, base_url)
        await page.goto(f"{base_url}/")
        await type_into(page, "family_name", "Karimi")
        await type_into(page, "given_names", "Ahmad")
        await type_into(page, "birth_date", "04031990")
        await choose(page, "gender", 2)
        await type_into(page, "nationalities", "Afghanistan")
        await focus_by_tab(page, "birth_place", backwards=True)
        await page.keyboard.type("Herat")
        await type_into(page, "region_key", "Soltau")
        await choose(page, "residence_status", 3)
        await choose(page, "course_entitlement", 1)
        await type_into(page, "first_languages", "Dari")
        await choose(page, "german_level", 1)
        await tick(page, "reads_latin_script-yes")
        await type_into(page, "schooling_years", "8")
        await choose(page, "school_qualification", 2)
        await type_into(page, "max_travel_minutes", "40")
        await tick(page, "availability-mornings")
        await type_into(page, "interview_language", "Dari")
        await tick(page, "consents-contact_by_phone")
        await page.screenshot(path=screenshot_path("intake-form-keyboard"), full_page=True)
        await focus_by_tab(page, "register")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#confirmation")
        assert await page.locator("#confirmation").inner_text() == "Der Fall wurde angelegt."
