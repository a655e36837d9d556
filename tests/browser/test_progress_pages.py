"""A provider in a real browser: signs in, sees only its own participants — with the names
intake disclosed for those who consented, or a note when intake cannot be asked — reports an
enrolment by form (and sees it in the history), uploads a list with German headers, reads
the preview (refused rows in German) and takes it over."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import courses, provider_placements
from ankommen.shared.events.contracts.assignment import CoursePublished, PlacementConfirmed
from ankommen.shared.identity.auth import Role
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.progress.integration.catalogue import (
    STARTS_ON,
    announce,
    catalogue_events,
    record_directly,
    referral_code,
)
from tests.support.polling import eventually
from tests.support.services import served_over_http, token
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token


async def sign_in(page, base_url: str, provider_id: str) -> None:  # noqa: ANN001
    await page.goto(f"{base_url}/")
    await page.fill("textarea[name=token]", issue_token(
        Role.PROVIDER, "browser", provider_id=provider_id))
    await page.click("form[action='/login'] button[type=submit]")


async def test_provider_sees_the_names_intake_disclosed_for_those_who_consented(
        page, kafka, sqlite_databases):
    consented, silent = referral_code(), referral_code()
    async with served_over_http("intake", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("intake")) as (
            intake_url, intake):
        events, _ = catalogue_events("vhs-a", [consented, silent])
        # Intake discloses only for the approved, running course the placements are in.
        [(_, published)] = [event for event in events if isinstance(event[1], CoursePublished)]
        placements = [(published.course.course_id, published)]
        for code, consents in ((consented, ["share_contact_with_provider",
                                            "contact_by_email"]), (silent, [])):
            body = registration(person=identity(family_name="Haddad", given_names="Layla",
                                                email="layla@example.org"), consents=consents)
            response = await intake.client.post("/cases", json=body,
                                                headers=token(Role.INTAKE_STAFF))
            assert response.status_code == 201, response.text
            pseudonym = response.json()["pseudonym"]
            placements.append((pseudonym, PlacementConfirmed(
                placement_id=uuid.uuid4().hex, pseudonym=pseudonym, referral_code=code,
                course_id=published.course.course_id, provider_id="vhs-a")))
        await announce(kafka.bootstrap_servers, placements)

        async def recorded() -> int:
            async with intake.runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(
                    provider_placements)) + await session.scalar(select(func.count()).where(
                        courses.c.course_id == published.course.course_id))

        await eventually(recorded, until=lambda count: count == 3, timeout=60,
                         what="intake knows the course and the confirmed placements")
        async with served_over_http("progress", bootstrap=kafka.bootstrap_servers,
                                    database_url=await sqlite_databases.url("progress"),
                                    intake_url=intake_url,
                                    # a loaded CI machine may take longer than the 3 s default
                                    intake_timeout_seconds=20) as (base_url, progress):
            await record_directly(progress, events)
            await sign_in(page, base_url, "vhs-a")
            row = page.locator(f"#participants tr[data-code='{consented}']")
            await row.wait_for()
            assert "Layla Haddad" in await row.locator(".name").inner_text()
            assert "layla@example.org" in await row.locator(".contact").inner_text()
            other = page.locator(f"#participants tr[data-code='{silent}']")
            assert "nicht freigegeben" in await other.locator(".name").inner_text()
            assert await page.locator("#names-unavailable").count() == 0
            await page.screenshot(path=screenshot_path("progress-participants-names"))
            # The participant's own page shows them too (asked of intake again, audited).
            await row.locator("a").click()
            await page.locator("#person .name").wait_for()
            assert "Layla Haddad" in await page.locator("#person").inner_text()
            assert "layla@example.org" in await page.locator("#person .email").inner_text()
            await page.goto(f"{base_url}/participants/{silent}")
            assert "nicht freigegeben" in await page.locator("#person").inner_text()
        audit = await intake.client.get("/audit", headers=token(Role.ADMIN))
        disclosures = [entry for entry in audit.json()
                       if entry["action"] == "disclose_contact"]
        assert [(entry["recipient"], entry["disclosed"]) for entry in disclosures] == [
            ("vhs-a", "names,email"), ("vhs-a", "names,email")]
        async with progress.runtime.sessions() as session:
            for table in progress.runtime.definition.metadata.sorted_tables:
                rows = (await session.execute(select(table))).all()
                assert "Haddad" not in repr(rows), f"progress stored a name in {table.name}"


async def test_provider_reports_by_form_and_csv_and_sees_only_own_participants(
        page, kafka, sqlite_databases):
    own, foreign = referral_code(), referral_code()
    async with served_over_http("progress", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("progress"),
                                intake_url="http://127.0.0.1:9") as (base_url, progress):
        for provider_id, code in (("vhs-a", own), ("vhs-b", foreign)):
            events, _ = catalogue_events(provider_id, [code])
            await record_directly(progress, events)

        await sign_in(page, base_url, "vhs-a")
        table = page.locator("#participants")
        await table.wait_for()
        assert own in await table.inner_text()
        assert foreign not in await page.content()
        # Intake is configured but unreachable: the list still works and says so.
        assert "nicht verfügbar" in await page.locator("#names-unavailable").inner_text()

        await page.click(f"text={own}")
        started = (STARTS_ON + timedelta(days=2)).isoformat()
        await page.select_option("select[name=kind]", "enrolment")
        await page.fill("input[name=date]", started)
        await page.click("#report-form button[type=submit]")
        await page.locator("#outcome.accepted").wait_for()
        assert "Kursbeginn (Anmeldung)" in await page.locator("#history").inner_text()
        assert await page.locator("#status").get_attribute("data-status") == "enrolled"
        assert await page.locator("#status").inner_text() == "im Kurs"

        await page.select_option("select[name=kind]", "attendance")
        await page.fill("input[name=period_start]", started)
        await page.fill("input[name=period_end]", started)
        await page.fill("input[name=hours_attended]", "5,5")
        await page.fill("input[name=hours_planned]", "4")
        await page.click("#report-form button[type=submit]")
        refusal = page.locator("#outcome.rejected")
        await refusal.wait_for()
        refused_because = await refusal.inner_text()
        assert "mehr anwesende als geplante Stunden" in refused_because, refused_because
        assert "hours_attended" not in refused_because
        await page.screenshot(path=screenshot_path("progress-participant"))

        # A list with German headers, no report ids: a preview first, then "Übernehmen".
        day = (STARTS_ON + timedelta(days=3)).strftime("%d.%m.%Y")
        listing = ("Vermittlungscode;Meldungsart;Zeitraum von;Zeitraum bis;Anwesende Stunden;"
                   "Geplante Stunden;Datum;Bemerkung\r\n"
                   f"{own};Anwesenheit;{day};{day};3,5;4;;Größe\r\n"
                   f"{foreign};Anmeldung;;;;;{day};\r\n").encode("cp1252")
        await page.click("text=Liste hochladen")
        await page.set_input_files("input[name=file]", files=[
            {"name": "liste.csv", "mimeType": "text/csv", "buffer": listing}])
        await page.screenshot(path=screenshot_path("progress-upload-form"))
        await page.click("#upload-form button[type=submit]")
        await page.locator("#summary").wait_for()
        assert "2 Zeilen: 1 zu speichern, 0 schon vorhanden, 1 abgelehnt" in (
            await page.locator("#summary").inner_text())
        rejected = await page.locator("#rejected").inner_text()
        assert "Vermittlungscode" in rejected and "gehört zu keiner Vermittlung" in rejected
        assert "referral_code" not in rejected
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("progress-upload-preview"))
        await page.click("#commit-form button[type=submit]")
        await page.locator("#summary").wait_for()
        assert "2 Zeilen: 1 gespeichert, 0 schon vorhanden, 1 abgelehnt" in (
            await page.locator("#summary").inner_text())
        await page.screenshot(path=screenshot_path("progress-upload-result"))
