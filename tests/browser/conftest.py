"""A real headless browser for page tests: Debian's chromium driven by Playwright.

Screenshots go to ``$ANKOMMEN_TEST_ARTIFACTS`` (default: ``ankommen-test-artifacts`` in the
temporary folder), outside the source tree: no test writes into the tree while it runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

ARTIFACTS = Path(os.environ.get("ANKOMMEN_TEST_ARTIFACTS")
                 or Path(tempfile.gettempdir()) / "ankommen-test-artifacts")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed: make test installs it "
                    "(apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(),
                                                    args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="de-DE", viewport={"width": 1024, "height": 768})
    opened = await context.new_page()
    yield opened
    await context.close()


def screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


#: What the pages must meet: WCAG 2.1 level AA, the level BITV 2.0 requires of public bodies.
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


async def assert_accessible(page: Page) -> None:
    """axe-core's WCAG 2.1 A/AA rules over the page as it is now: no violation.

    axe is injected through Playwright (not the page), so the pages' CSP need not allow it."""
    results = await Axe().run(page, options=WCAG_AA)
    violations = [(violation["id"], [node["target"] for node in violation["nodes"]][:3])
                  for violation in results.response["violations"]]
    assert violations == [], violations


async def fill_interview(page: Page, family_name: str, given_names: str) -> None:
    """Intake's interview form, filled for an adult recognised refugee in Soltau (A1): the
    pickers by their German names, as a clerk types them."""
    await page.fill("#family_name", family_name)
    await page.fill("#given_names", given_names)
    await page.fill("#birth_date", "1990-03-04")
    await page.select_option("#gender", "male")
    await page.fill("#nationalities", "Syrien")
    await page.fill("#region_key", "Soltau")
    await page.select_option("#residence_status", "recognised_refugee")
    await page.select_option("#course_entitlement", "entitled")
    await page.fill("#first_languages", "Arabisch")
    await page.select_option("#german_level", "A1")
    await page.check("#reads_latin_script-yes")
    await page.fill("#schooling_years", "9")
    await page.select_option("#school_qualification", "lower_secondary")
    await page.fill("#max_travel_minutes", "45")
    await page.check("input[name='availability[]'][value=mornings]")
    await page.check("input[name='goals[]'][value=work]")
    await page.fill("#interview_language", "Arabisch")
