"""A clerk's case work in a real browser: meet the duplicate warning with both people side by
side, confirm "same person" and find the earlier spelling kept as an alias on the case
page; search, open, correct, export, print the invitation letter in Arabic and in Ukrainian
(PDF rendered to PNG, checked for script and direction), close and erase the case; merge a
suspected pair in the review queue — axe-core on every page on the way, in German and in
English."""

from __future__ import annotations

import json
import uuid

from playwright.async_api import Page

from ankommen.intake.service.placements import record_course, record_placement
from ankommen.shared.events.contracts.assignment import CoursePublished, PlacementConfirmed
from ankommen.shared.identity.auth import Role
from tests.browser.conftest import assert_accessible, fill_interview, screenshot_path
from tests.intake.integration.test_invitation_letter import COURSE, kept_as_png
from tests.progress.integration.catalogue import referral_code
from tests.support.event_examples import decoded
from tests.support.pdf_layout import (
    is_arabic,
    is_cyrillic,
    joined_share,
    left_to_right,
    lines_in,
    right_to_left,
)
from tests.support.services import served_over_http, token
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token

STAFF = token(Role.INTAKE_STAFF)


async def accessible_in_both_languages(page: Page) -> None:
    """axe on the page as shown (German), then on the same address in English."""
    await assert_accessible(page)
    german = page.url
    await page.goto(german + ("&" if "?" in german else "?") + "lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    await assert_accessible(page)
    await page.goto(german + ("&" if "?" in german else "?") + "lang=de")


async def confirmed_placement(intake, pseudonym: str) -> str:  # noqa: ANN001
    """A course and a confirmed placement in it, as assignment announces them."""
    code = referral_code()
    async with intake.runtime.uow() as uow:
        await record_course(uow, decoded(CoursePublished(course=COURSE)))
        await record_placement(uow, decoded(PlacementConfirmed(
            placement_id=uuid.uuid4().hex, pseudonym=pseudonym, referral_code=code,
            course_id=COURSE.course_id, provider_id=COURSE.provider_id)))
        await uow.commit()  # as the consumer does, with the inbox row
    return code


async def test_a_clerks_case_work_from_duplicate_warning_to_erasure(
        kafka, sqlite_databases, page):
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")
                                ) as (base_url, intake):
        await page.goto(f"{base_url}/login")
        await page.fill("#token", issue_token(Role.INTAKE_STAFF, "auslaenderbehoerde"))
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base_url}/")

        # Registered once, then again in another spelling: the warning shows both people.
        await fill_interview(page, "Al-Hassan", "Mohammed")
        await page.fill("#birth_place", "Aleppo")
        await page.click("#register")
        await page.wait_for_selector("#confirmation")
        pseudonym = await page.locator("#pseudonym").inner_text()
        await page.goto(f"{base_url}/")
        await fill_interview(page, "Alhasan", "Muhammad")
        await page.fill("#birth_place", "Halab")
        await page.click("#register")
        warning = page.locator("#duplicate-warning")
        await warning.wait_for()
        compared = warning.locator("table.candidate")
        assert await compared.count() == 1
        text = await compared.inner_text()
        assert "Al-Hassan" in text and "Alhasan" in text and "Aleppo" in text
        assert "Halab" in text and "(abweichend)" in text and "auslaenderbehoerde" in text
        reviewed = await intake.client.get("/audit", headers=token(Role.ADMIN))
        assert [(entry["actor"], entry["purpose"]) for entry in reviewed.json()
                if entry["action"] == "read_identity"] == [
            ("auslaenderbehoerde", "duplicate_review")]
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("casework-duplicate-warning"),
                              full_page=True)
        await warning.locator("button[value^=same_person]").click()
        await page.wait_for_selector("#confirmation")

        # Search with a purpose, open the case: the earlier spelling is kept as an alias.
        await page.goto(f"{base_url}/ui/cases")
        await accessible_in_both_languages(page)
        await page.click("#search")
        await page.wait_for_selector("#errors")
        assert "Zweck der Einsicht: Bitte angeben." in await page.inner_text("#errors")
        await assert_accessible(page)
        await page.select_option("#purpose", "counselling")
        await page.fill("#family_name", "Alhasan")
        await page.fill("#given_names", "Muhammad")
        await page.fill("#birth_date", "1990-03-04")
        await page.click("#search")
        results = page.locator("#results")
        await results.wait_for()
        assert await results.locator("tbody tr").count() == 1
        assert "Halab" in await results.inner_text()
        await assert_accessible(page)
        await results.locator("a").click()
        await page.wait_for_selector("#aliases")
        assert "Al-Hassan" in await page.inner_text("#aliases")
        assert "Aleppo" in await page.inner_text("#aliases")
        case_url = page.url
        case_id = case_url.split("/ui/cases/")[1].split("?")[0]
        await page.screenshot(path=screenshot_path("casework-case-page"), full_page=True)
        await accessible_in_both_languages(page)

        # Correct the survey.
        await page.goto(case_url)
        await page.click("#correct")
        await page.wait_for_selector("#save-survey")
        await accessible_in_both_languages(page)
        await page.select_option("#german_level", "B1")
        await page.click("#save-survey")
        await page.wait_for_selector("#notice")
        assert await page.inner_text("#notice") == "Die Korrektur wurde gespeichert."

        # The export downloads and parses; the printable view is a page.
        async with page.expect_download() as download_info:
            await page.click("#export")
        download = await download_info.value
        exported = json.loads((await download.path()).read_text())
        assert exported["case"]["identity"]["family_name"] == "Alhasan"
        assert exported["case"]["aliases"][0]["family_name"] == "Al-Hassan"
        assert exported["case"]["survey"]["german_level"] == "B1"
        await page.goto(f"{base_url}/ui/cases/{case_id}/export/print")
        await accessible_in_both_languages(page)

        # Assignment confirms a placement (its events, through intake's handlers): the case
        # page offers the letter, in the person's first language (Arabic) without asking.
        code = await confirmed_placement(intake, pseudonym)
        await page.goto(case_url)
        # (A PDF is no page for headless chromium: the link's request is made with the
        # page's session, as the browser would.)
        link = await page.locator(f"a[href*='referral_code={code}']").get_attribute("href")
        letter = await page.request.get(f"{base_url}{link}")
        assert letter.headers["content-type"] == "application/pdf"
        arabic = kept_as_png(await letter.body(), "casework-letter-arabic")
        lines = lines_in(arabic, is_arabic)
        assert len(lines) >= 10 and right_to_left(lines, arabic[0].get_width())
        pairs, share = joined_share(lines)
        assert pairs > 50 and share > 0.9, "Arabic letters joined (shaped)"
        # … and in Ukrainian, which the clerk asks for by language.
        ukrainian = await page.request.get(
            f"{base_url}{link}&language=ukr")
        assert ukrainian.headers["content-type"] == "application/pdf"
        document = kept_as_png(await ukrainian.body(), "casework-letter-ukrainian")
        lines = lines_in(document, is_cyrillic)
        assert len(lines) >= 10 and left_to_right(lines)

        # Close as of today.
        await page.goto(f"{base_url}/ui/cases/{case_id}/close")
        await accessible_in_both_languages(page)
        assert await page.input_value("#closed_on") == ""
        await page.select_option("#reason", "moved_away")
        await page.click("#close-today")
        await page.wait_for_selector("#case-state")
        assert "abgeschlossen am" in await page.inner_text("#case-state")

        # Erase: nothing without the confirmation, then a page without personal data.
        await page.goto(f"{base_url}/ui/cases/{case_id}/erase")
        await accessible_in_both_languages(page)
        await page.click("#erase")
        await page.wait_for_selector("#errors")
        await assert_accessible(page)
        await page.check("#confirm")
        await page.click("#erase")
        await page.wait_for_selector("#erased")
        assert "Alhasan" not in await page.content()
        await assert_accessible(page)
        await page.goto(f"{base_url}/ui/cases/{case_id}?purpose=counselling")
        assert "gelöscht" in await page.inner_text("#missing")
        await accessible_in_both_languages(page)

        # The review queue: a suspected pair side by side, merged after the confirmation.
        pair = []
        for name in ("Rahimi", "Rahimy"):  # the second would meet the first: decided
            body = registration(person=identity(family_name=name, given_names="Zahra",
                                                birth_date="1985-07-20"))
            body["resolution"] = {"decision": "different_person"}
            registered = await intake.client.post("/cases", headers=STAFF, json=body)
            pair.append(registered.json()["case_id"])
        await intake.client.post("/duplicates", headers=STAFF, json={
            "case_id": pair[0], "other_case_id": pair[1]})
        await page.goto(f"{base_url}/ui/duplicates")
        assert "Rahimy" in await page.inner_text("section.pair")
        await accessible_in_both_languages(page)
        await page.screenshot(path=screenshot_path("casework-review-queue"), full_page=True)
        await page.click("text=Dieselbe Person: Fall A behalten")
        await page.wait_for_selector("#merge")
        await accessible_in_both_languages(page)
        await page.click("#merge")
        await page.wait_for_selector("#notice")
        assert await page.inner_text("#notice") == "Die Fälle wurden zusammengeführt."
        assert await page.locator("#queue-empty").count() == 1
