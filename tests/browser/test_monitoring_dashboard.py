"""The monitoring dashboard and annual report in a real browser, under the publication rules
of issue 15: facts arrive while their month is open and show nowhere; once the month has
closed (an injected clock moves past it) every section and key figure shows published values
or "·", a table over too small a population says so in one German sentence, and the report of
the closed year prints. Both pages pass axe-core's WCAG 2.1 AA rules (BITV 2.0)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.async_api import Page, expect

from ankommen.monitoring.domain.catalogue import CATALOGUE
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.identity.auth import Role
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.monitoring.facts_topic import (
    arrival,
    capacity,
    course_outcome,
    dtz_exam,
    placement,
    publish,
    transition,
    unmet_demand,
    waitlisted,
)
from tests.support.clock import MovableClock
from tests.support.polling import eventually
from tests.support.services import served_over_http, token

MONTH = "2026-10"
MONTH_BEGINS = datetime(2026, 10, 1, tzinfo=UTC)
UNANSWERED = ("Zu wenige Fälle in diesem Zeitraum und Gebiet — die Tabelle wird erst ab 20 "
              "Personen veröffentlicht.")


def near(text: str | None, count: int) -> bool:
    """A published count: digits, within the Cell Key Method's ±2 of the true count."""
    return text is not None and text.strip().isdigit() and abs(int(text) - count) <= 2


def facts() -> list[Envelope]:
    """One October in two districts: tables of 20 and more facts are answered (arrivals,
    placements, capacity, course outcomes, DTZ exams), the rest are too small. Each is stamped
    with the first instant of its month, as producers stamp facts (issue 15, R5)."""
    weeks = (1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14)
    envelopes = ([arrival(MONTH, "03358", "A1") for _ in range(14)]
                 + [arrival(MONTH, "03358", "B1") for _ in range(11)]
                 + [arrival(MONTH, "03359", "A2") for _ in range(21)]
                 + [placement(MONTH, "03358", "0-30", waiting_weeks=w) for w in weeks]
                 + [waitlisted(MONTH, "03358") for _ in range(3)]
                 + [unmet_demand(MONTH, "03358") for _ in range(6)]
                 + [capacity(MONTH, "03358", 40, 30)]
                 + [transition(MONTH, "03358") for _ in range(5)]
                 + [course_outcome(MONTH, "03358") for _ in range(11)]
                 + [course_outcome(MONTH, "03358", "discontinued", "work") for _ in range(11)]
                 + [dtz_exam(MONTH, "03358", "B1") for _ in range(14)]
                 + [dtz_exam(MONTH, "03358", "A2") for _ in range(6)])
    return [fact.model_copy(update={"time": MONTH_BEGINS}) for fact in envelopes]


def watch_console(page: Page) -> list[str]:
    """Errors in the console (a CSP violation, a failed script) fail the test; the
    browser's own favicon request is not the page's doing."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(
        f"{message.text} {message.location.get('url')}")
            if message.type == "error"
            and not str(message.location.get("url")).endswith("/favicon.ico") else None)
    return problems


async def test_closed_month_dashboard_and_closed_year_report(kafka, sqlite_databases, page):
    clock = MovableClock(datetime(2026, 10, 20, 12, tzinfo=UTC))
    published = facts()
    async with served_over_http("monitoring", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("monitoring"),
                                county_districts="03358,03359",
                                clock=clock) as (base_url, monitoring):
        await publish(kafka.bootstrap_servers, published)

        async def processed() -> int:
            response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
            return response.json()["facts_processed"]

        await eventually(processed, until=lambda n: n == len(published), timeout=60)
        problems = watch_console(page)

        # October is open: nothing of it shows, the page says when it will.
        await page.goto(f"{base_url}/")
        await expect(page.locator("#publication")).to_contain_text(
            "Die ersten Zahlen (Oktober 2026) erscheinen am 6. November 2026.")
        await expect(page.locator("table")).to_have_count(0)

        # October has closed: it is the default period, shown as selected. The page fetches
        # nothing (no polling: a closed period's figures never change).
        clock.set(datetime(2026, 11, 10, tzinfo=UTC))
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url)
                if "/statistics" in request.url else None)
        await page.goto(f"{base_url}/")
        await expect(page.locator("#publication")).to_contain_text(
            "Zuletzt veröffentlicht: Oktober 2026. November 2026 erscheint am "
            "6. Dezember 2026.")
        await expect(page.locator("#period option:checked")).to_have_text("Oktober 2026")
        await expect(page.locator("#district option:checked")).to_have_text("Landkreis gesamt")
        options = await page.locator("#period option").all_text_contents()
        assert options[:3] == ["Oktober 2026", "September 2026", "August 2026"], options
        assert "3. Quartal 2026" in options and "Jahr 2025" in options
        assert "4. Quartal 2026" not in options and "Jahr 2026" not in options
        await expect(page.locator("#district option")).to_have_text(
            # By name from the municipality directory; 03359 has no row there.
            ["Landkreis gesamt", "Landkreis Heidekreis", "Kreis 03359"])
        await expect(page.locator("#german_level")).to_have_count(0)

        # Key figures: published values or "·" (too small a population).
        figures = {name: await page.locator(f"#figure-{name}").text_content()
                   for name in ("arrivals", "placements", "waitlisted", "unmet_demand",
                                "completed", "discontinued", "transitions",
                                "median_wait_weeks", "within_6_weeks", "capacity_use",
                                "b1_share")}
        assert near(figures["arrivals"], 46) and near(figures["placements"], 22), figures
        assert near(figures["completed"], 11) and near(figures["discontinued"], 11), figures
        assert figures["median_wait_weeks"] == "5", figures
        for small in ("waitlisted", "unmet_demand", "transitions"):
            assert figures[small] == "·", figures
        use = figures["capacity_use"] or ""
        assert use.endswith(" %") and 67 <= int(use.removesuffix(" %")) <= 84, figures
        # Nobody reached B2, C1 or C2: those zeros are protected like small counts, so the
        # share of B1 or better is published as a lower bound (B1 alone: about 14 of 20).
        share = figures["b1_share"] or ""
        assert re.fullmatch(r"≥ \d+ %", share) and 54 <= int(share[2:-2]) <= 89, figures

        # Every section, every catalogue table but the by-month ones (a month has none).
        panels = await page.locator("[data-panel]").evaluate_all(
            "panels => panels.map(panel => panel.dataset.panel)")
        assert panels == [spec.key for spec in CATALOGUE if spec.by != "month"]
        cells = await page.locator("table td.num").all_text_contents()
        assert cells and all(re.fullmatch(r"\d+|·", text) for text in cells), cells
        levels = page.locator('table[data-view="arrivals-german_level"] tbody tr')
        assert near(await levels.filter(has_text="A1").locator("td.num").text_content(), 14)
        # A zero is shown like a small count: nobody arrived at A0, and that is not told.
        await expect(levels.filter(has_text="A0").locator("td.num")).to_have_text("·")
        districts = page.locator('table[data-view="arrivals-district"] tbody tr')
        await expect(districts.locator("th")).to_have_text(["Landkreis Heidekreis", "Kreis 03359"])
        gender = page.locator('table[data-view="arrivals-gender"] tbody tr')
        assert near(await gender.filter(has_text="weiblich").locator("td.num")
                    .text_content(), 46)
        courses = page.locator('table[data-view="placements-course_type"] tbody tr')
        general = courses.filter(has_text="Allgemeiner Integrationskurs").locator("td.num")
        assert near(await general.first.text_content(), 22)
        await expect(general.nth(1)).to_have_text("5")  # median weeks of 22 placements
        seats = page.locator('table[data-view="capacity-offered"] tbody tr')
        assert near(await seats.filter(has_text="Allgemeiner Integrationskurs")
                    .locator("td.num").text_content(), 40)
        exams = page.locator('table[data-view="exam_results-level_reached"] tbody tr')
        assert near(await exams.filter(has_text="B1").locator("td.num").text_content(), 14)
        for key in ("waitlisted-reason", "unmet_demand-reason", "transitions-to_course_type",
                    "course_outcomes-discontinuation_reason"):
            await expect(page.locator(f'[data-panel="{key}"] [data-unanswered]')
                         ).to_have_text(UNANSWERED)
            await expect(page.locator(f'[data-panel="{key}"] table')).to_have_count(0)
        await expect(page.get_by_text("· = weniger als 5 (auch 0)")).to_be_visible()
        assert await page.evaluate(
            "() => [...document.querySelectorAll('[data-panel] canvas')]"
            ".every(canvas => Chart.getChart(canvas) !== undefined)")
        await assert_accessible(page)
        await page.screenshot(path=screenshot_path("monitoring-dashboard"), full_page=True)
        assert problems == [] and fetched == []

        # One district, a quarter: the pickers say what is shown.
        await page.select_option("#district", "03359")
        await page.select_option("#period", "2026-Q3")
        await page.get_by_role("button", name="Anzeigen").click()
        await expect(page.locator("#selection-title")).to_have_text(
            "3. Quartal 2026 · Kreis 03359")
        await expect(page.locator("[data-unanswered]").first).to_have_text(UNANSWERED)

        # An open period typed into the address is refused, naming the field and the day.
        response = await page.goto(f"{base_url}/?period=2026-11")
        assert response is not None and response.status == 422
        await expect(page.locator("#dashboard-error")).to_have_text(
            "Zeitraum: November 2026 ist noch nicht abgeschlossen; die Zahlen erscheinen am "
            "6. Dezember 2026.")
        await expect(page.locator("table")).to_have_count(0)

        response = await page.goto(f"{base_url}/?district=09162")
        assert response is not None and response.status == 422
        await expect(page.locator("#dashboard-error")).to_have_text(
            "Gebiet: kein Kreis dieses Landkreises — bitte ein Gebiet aus der Liste wählen.")
        await expect(page.locator("table")).to_have_count(0)

        await page.goto(f"{base_url}/?lang=en")
        await expect(page.get_by_role("heading", name="Arrivals at a glance")).to_be_visible()
        await expect(page.locator("#period option:checked")).to_have_text("October 2026")
        await expect(page.get_by_text("Courses discontinued")).to_be_visible()

        # The year 2026 closes on 6 January 2027; then its report prints.
        response = await page.goto(f"{base_url}/report?year=2026&lang=de")
        assert response is not None and response.status == 422
        await expect(page.locator("#report-error")).to_have_text(
            "Jahr: 2026 ist noch nicht abgeschlossen; der Bericht erscheint am "
            "6. Januar 2027.")
        clock.set(datetime(2027, 1, 10, tzinfo=UTC))
        await page.goto(f"{base_url}/report")
        await expect(page.get_by_role("heading", name="Jahresbericht 2026")).to_be_visible()
        # 2025 began before the 24 months of history: no longer published.
        await expect(page.locator("#report-years a")).to_have_text(["2026"])
        wait = page.locator("#goal-median-wait")
        await expect(wait).to_contain_text("höchstens 6 Wochen")
        await expect(wait).to_contain_text("5 Wochen")
        await expect(wait.locator("td").nth(3)).to_have_text("erreicht")
        key_figures = page.locator("#report-key-figures")
        assert near(await key_figures.locator('[data-figure="arrivals"] td.num')
                    .text_content(), 46)
        months = page.locator('table[data-view="arrivals-month"] tbody tr')
        await expect(months).to_have_count(12)
        assert near(await months.filter(has_text="Oktober 2026").locator("td.num")
                    .text_content(), 46)
        await expect(page.locator('[data-unanswered][data-view="waitlisted-reason"]')
                     ).to_have_text(UNANSWERED)
        await assert_accessible(page)
        await page.emulate_media(media="print")
        await expect(page.locator("header.top")).to_be_hidden()
        await page.screenshot(path=screenshot_path("monitoring-report"), full_page=True)
        # The refusals above answer 422 on purpose; the browser logs each as an error.
        assert [problem for problem in problems if "status of 422" not in problem] == []
