"""A provider's month in a real browser, across the services as they run: the county's
offers arrive on the referrals page (assignment), the provider confirms three — two ticked
together, one by its own button —, sees on the participants page (progress) the name of the
one who consented to share it (asked of intake), enters the course's exam results in the
roster grid after uploading the course's Excel list (German headers, one bad row refused in
German, the rest stored; the same list again changes nothing), and reads the bad row's refusal
on the refused reports page. Every page is screenshot and checked with axe."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from ankommen.intake.adapters.tables import provider_placements
from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.roster_xlsx import roster_xlsx
from tests.support.services import served_over_http, token
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token

PROVIDER = "vhs-heidekreis"
OFFERED = "ankommen.assignment.placement_offered.v1"


async def checked(page, name: str) -> None:  # noqa: ANN001
    await page.screenshot(path=screenshot_path(f"provider-month-{name}"), full_page=True)
    await assert_accessible(page)


async def test_a_providers_month(page, kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    today = county_today()
    async with served_over_http("intake", bootstrap=bootstrap,
                                database_url=await sqlite_databases.url("intake")) as (
            intake_url, intake), \
            served_over_http("assignment", bootstrap=bootstrap,
                             database_url=await sqlite_databases.url("assignment")) as (
            assignment_url, assignment), \
            served_over_http("progress", bootstrap=bootstrap,
                             database_url=await sqlite_databases.url("progress"),
                             intake_url=intake_url, intake_timeout_seconds=20,
                             assignment_public_url=assignment_url) as (progress_url, progress):
        # A running course that still takes newcomers; three people registered at intake.
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        created = await assignment.client.post("/courses", json=course_body(
            course_id, PROVIDER, title="Integrationskurs Soltau", status="running",
            starts_on=(today - timedelta(days=30)).isoformat(),
            ends_on=(today + timedelta(days=150)).isoformat(),
            entry_until=(today + timedelta(days=10)).isoformat()), headers=COORDINATOR)
        assert created.status_code == 201, created.text
        for consents in (["share_contact_with_provider"], [], []):
            person = identity(family_name="Haddad", given_names="Layla") if consents else None
            registered = await intake.client.post("/cases", json=registration(
                person=person, consents=consents, region_key="03358021", german_level="A1"),
                headers=token(Role.INTAKE_STAFF))
            assert registered.status_code == 201, registered.text
            if consents:
                consenting = registered.json()["pseudonym"]
        offers = await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda found: len(found) == 3, timeout=60,
                                  what="three offers")
        code_of = {offer["pseudonym"]: offer["referral_code"] for offer in offers}
        named = code_of[consenting]
        codes = sorted(code_of.values())

        # Assignment: the referrals page, two ticked together, the third by its button.
        await page.goto(f"{assignment_url}/ui/referrals")
        await checked(page, "login")
        await page.fill("textarea[name=token]", issue_token(Role.PROVIDER, "traeger",
                                                            provider_id=PROVIDER))
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_url(f"{assignment_url}/ui/referrals")
        assert await page.locator("#open tbody tr").count() == 3
        assert "Soltau" in await page.locator("#open").inner_text()
        assert await page.locator("nav a").all_inner_texts() == ["Vermittlungen"]
        await checked(page, "referrals")
        others = [code for code in codes if code != named]
        for code in others:
            await page.check(f"#pick-{code}")
        await page.click("#confirm-selected")
        await page.locator("#results").wait_for()
        assert await page.locator("#results tr[data-done=yes]").count() == 2
        await page.click(f"button[name=row][value='confirm:{named}']")
        await page.locator(f"#results tr[data-code='{named}'][data-done=yes]").wait_for()
        assert await page.locator("#open tbody tr").count() == 0
        assert await page.locator("#answered td[data-status=confirmed]").count() == 3
        await checked(page, "referrals-confirmed")

        # Progress and intake hear of the confirmations (events over the broker).
        async def confirmed() -> int:
            answer = await progress.client.get("/participants",
                                               headers=token(Role.PROVIDER, PROVIDER))
            return sum(1 for item in answer.json() if item["state"] == "confirmed"
                       and item["course_title"])

        async def disclosed() -> int:
            async with intake.runtime.sessions() as session:
                return await session.scalar(select(func.count()).select_from(
                    provider_placements))

        await eventually(confirmed, until=lambda count: count == 3, timeout=60,
                         what="progress knows the three confirmed placements")
        await eventually(disclosed, until=lambda count: count == 3, timeout=60,
                         what="intake knows the three confirmed placements")

        # Progress: the participants with the consenting person's name.
        await page.goto(f"{progress_url}/")
        if "/login" in page.url:
            await page.fill("textarea[name=token]", issue_token(
                Role.PROVIDER, "traeger", provider_id=PROVIDER))
            await page.click("form[action='/login'] button[type=submit]")
        row = page.locator(f"#participants tr[data-code='{named}']")
        await row.wait_for()
        assert "Layla Haddad" in await row.locator(".name").inner_text()
        assert await page.locator("#referrals-link a").get_attribute("href") == (
            f"{assignment_url}/ui/referrals")
        await checked(page, "participants")

        # The course's Excel list, as the provider keeps it: German headers, an enrolment per
        # participant, one row with more hours than planned. A preview first, then stored.
        roster = roster_xlsx(codes, today)

        async def upload_roster(expected_preview: str, expected_result: str | None) -> None:
            await page.goto(f"{progress_url}/upload")
            await page.set_input_files("input[name=file]", files=[{
                "name": "Teilnehmerliste.xlsx", "buffer": roster.content,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
            await page.click("#upload-form button[type=submit]")
            await page.locator("#summary").wait_for()
            assert expected_preview in await page.locator("#summary").inner_text()
            refused_row = page.locator("#rejected tbody tr")
            assert await refused_row.count() == 1
            cells = await refused_row.locator("th, td").all_inner_texts()
            assert str(roster.bad_row) in cells and roster.bad_column in cells, cells
            assert "mehr anwesende als geplante Stunden" in cells, cells
            await checked(page, "upload-preview")
            if expected_result is None:  # nothing new: the preview offers nothing to store
                assert await page.locator("#commit-form").count() == 0
                await page.locator("#nothing-to-store").wait_for()
                return
            await page.click("#commit-form button[type=submit]")
            await page.locator("#summary").wait_for()
            assert expected_result in await page.locator("#summary").inner_text()

        await upload_roster("4 Zeilen: 3 zu speichern, 0 schon vorhanden, 1 abgelehnt",
                            "4 Zeilen: 3 gespeichert, 0 schon vorhanden, 1 abgelehnt")
        await checked(page, "upload-result")
        # The same list again changes nothing: the rows without an id have the same derived id.
        await upload_roster("4 Zeilen: 0 zu speichern, 3 schon vorhanden, 1 abgelehnt", None)
        enrolled = await progress.client.get("/participants",
                                             headers=token(Role.PROVIDER, PROVIDER))
        assert sorted(item["state"] for item in enrolled.json()) == ["enrolled"] * 3

        # The roster grid: the exam results of the whole course at once.
        await page.goto(f"{progress_url}/")
        await page.click(f"#courses a[href='/courses/{course_id}/roster']")
        await page.locator("#choose-kind").wait_for()
        await checked(page, "roster-choose")
        await page.check("input[name=kind][value=exam_result]")
        await page.click("#choose-kind button[type=submit]")
        await page.select_option("#common-exam", "dtz")
        await page.fill("#common-date", today.isoformat())
        for code, (passed, level) in zip(codes, [("ja", "B1"), ("ja", "A2"), ("nein", "")],
                                         strict=True):
            await page.select_option(f"#passed-{code}", passed)
            if level:
                await page.select_option(f"#level_reached-{code}", level)
        await checked(page, "roster-exam")
        await page.click("#send-roster")
        await page.locator("#roster-summary").wait_for()
        assert await page.locator("#roster tr[data-verdict=accepted]").count() == 3
        assert "Angenommen: 3" in await page.locator("#roster-summary").inner_text()
        await checked(page, "roster-exam-result")
        # The refused reports: the list's bad row, with its reason in German.
        await page.click("nav a[href='/refused']")
        refused = page.locator(f"#refused tr[data-code='{codes[0]}']").first
        await refused.wait_for()
        text = await refused.inner_text()
        assert "hochgeladene Liste" in text and "Anwesenheit" in text
        assert "hours_planned" not in text and "hours_attended" not in text
        await checked(page, "refused")
