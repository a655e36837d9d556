"""A provider in a real browser: signs in, sees only its own participants, reports an
enrolment by form (and sees it in the history), uploads an Excel CSV list and reads the
row-level result."""

from __future__ import annotations

from datetime import timedelta

from ankommen.shared.auth import Role, issue_token
from ankommen.shared.settings import DEVELOPMENT_TOKEN_SECRET
from tests.browser.conftest import screenshot_path
from tests.progress.integration.catalogue import (
    STARTS_ON,
    catalogue_events,
    record_directly,
    referral_code,
)
from tests.support.services import served_over_http


async def test_provider_reports_by_form_and_csv_and_sees_only_own_participants(
        page, kafka, sqlite_databases):
    own, foreign = referral_code(), referral_code()
    async with served_over_http("progress", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("progress")) as (
            base_url, progress):
        for provider_id, code in (("vhs-a", own), ("vhs-b", foreign)):
            events, _ = catalogue_events(provider_id, [code])
            await record_directly(progress, events)

        await page.goto(f"{base_url}/")
        await page.fill("textarea[name=token]", issue_token(
            DEVELOPMENT_TOKEN_SECRET, Role.PROVIDER, "browser", provider_id="vhs-a"))
        await page.click("form[action='/login'] button[type=submit]")
        table = page.locator("#participants")
        await table.wait_for()
        assert own in await table.inner_text()
        assert foreign not in await page.content()

        await page.click(f"text={own}")
        started = (STARTS_ON + timedelta(days=2)).isoformat()
        await page.select_option("select[name=kind]", "enrolment")
        await page.fill("input[name=date]", started)
        await page.click("#report-form button[type=submit]")
        await page.locator("#outcome.accepted").wait_for()
        assert "enrolment" in await page.locator("#history").inner_text()
        assert await page.locator("#status").inner_text() == "enrolled"

        await page.select_option("select[name=kind]", "attendance")
        await page.fill("input[name=period_start]", started)
        await page.fill("input[name=period_end]", started)
        await page.fill("input[name=hours_attended]", "5,5")
        await page.fill("input[name=hours_planned]", "4")
        await page.click("#report-form button[type=submit]")
        refusal = page.locator("#outcome.rejected")
        await refusal.wait_for()
        assert "hours_attended" in await refusal.inner_text()
        await page.screenshot(path=screenshot_path("progress-participant"))

        day = (STARTS_ON + timedelta(days=3)).strftime("%d.%m.%Y")
        listing = ("Meldungs-ID;Vermittlungscode;Art;Datum;Von;Bis;Stunden anwesend;"
                   "Stunden geplant;Bemerkung\r\n"
                   f"U1;{own};Anwesenheit;;{day};{day};3,5;4;Größe\r\n"
                   f"U2;{foreign};Anmeldung;{day};;;;;\r\n").encode("cp1252")
        await page.click("text=CSV-Liste hochladen")
        await page.set_input_files("input[name=file]", files=[
            {"name": "liste.csv", "mimeType": "text/csv", "buffer": listing}])
        await page.click("#upload-form button[type=submit]")
        await page.locator("#summary").wait_for()
        assert "2 Zeilen: 1 gespeichert, 0 schon vorhanden, 1 abgelehnt" in (
            await page.locator("#summary").inner_text())
        rejected = await page.locator("#rejected").inner_text()
        assert "3" in rejected and "referral_code" in rejected
        await page.screenshot(path=screenshot_path("progress-upload-result"))
