"""``make demo`` against the stack ``make run`` starts: afterwards every page shows the county.

The same loader as ``make demo`` (:func:`ankommen.tools.demo.load`), with fewer people so the
test stays quick; the dashboard screenshot goes to demo-dashboard.png among the test artifacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import expect

from ankommen.shared.auth import Role
from ankommen.shared.embedded import SERVICES
from ankommen.shared.local_broker import local_access
from ankommen.tools.demo import Stack, embedded_provider_kafka, load
from tests.browser.conftest import screenshot_path
from tests.support.run_stack import AnkommenRun
from tests.support.tokens import ISSUER

pytestmark = pytest.mark.slow


@pytest.fixture
def running_stack(tmp_path) -> Iterator[tuple[Stack, AnkommenRun]]:  # noqa: ANN001
    """``ankommen run`` (what ``make run`` starts, on Apache Kafka) on free ports."""
    run = AnkommenRun(tmp_path).start()
    try:
        yield Stack({name: run.url(name) for name in SERVICES}, ISSUER), run
    finally:
        run.interrupt()


async def signed_in(page, base_url: str, stack: Stack, role: Role,  # noqa: ANN001
                    provider_id: str | None = None) -> None:
    token = stack.headers(role, provider_id)["Authorization"].removeprefix("Bearer ")
    await page.goto(f"{base_url}/login")
    await page.fill("textarea[name=token]", token)
    await page.click("form[action='/login'] button[type=submit]")


async def test_demo_load_populates_dashboard_coordinator_and_provider_pages(
        running_stack, page):
    stack, run = running_stack
    async with httpx.AsyncClient(timeout=2) as client:
        await run.ready(client)
    lines: list[str] = []
    # As `make demo` does: each provider's reports signed in as that provider's principal.
    kafka = embedded_provider_kafka(run.data_dir, run.bootstrap_servers)
    assert local_access(run.data_dir, run.bootstrap_servers).authenticated
    summary = await load(stack, kafka, people=160, courses=24, seed=7, say=lines.append)
    assert summary.registered == 160 and summary.placements > 0, lines
    # Placed today, in courses open for entry (issue 16): running courses report attendance;
    # no offer went to an ended course, so nobody completes one yet.
    assert summary.reports["attendance"] > 0 and summary.rejected == 0, lines

    # The demo's facts all lie in the open month, and only closed months are published: the
    # dashboard says so plainly, and when the first figures appear (issue 16 will let the
    # demo span past months).
    await page.goto(f"{stack.urls['monitoring']}/")
    await expect(page.locator("#publication")).to_contain_text(re.compile(
        r"Für abgeschlossene Zeiträume liegen noch keine Zahlen vor\. Die ersten "
        r"Zahlen \(\w+ \d{4}\) erscheinen am \d{1,2}\. \w+ \d{4}\."))
    await expect(page.locator("section.view table")).to_have_count(0)
    await page.screenshot(path=screenshot_path("demo-dashboard"), full_page=True)

    await signed_in(page, stack.urls["assignment"], stack, Role.COORDINATOR)
    await page.goto(f"{stack.urls['assignment']}/ui/courses")
    await expect(page.get_by_text("Allgemeiner Integrationskurs").first).to_be_visible()

    await signed_in(page, stack.urls["progress"], stack, Role.PROVIDER, "vhs-heidekreis")
    await page.goto(f"{stack.urls['progress']}/")
    await expect(page.locator("#participants tbody tr").first).to_be_visible()
