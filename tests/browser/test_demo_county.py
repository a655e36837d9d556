"""``make demo`` against the stack ``make run`` starts: afterwards every page shows the county.

The same loader as ``make demo`` (:func:`ankommen.tools.demo.load`), with fewer people so the
test stays quick; the dashboard screenshot goes to demo-dashboard.png among the test artifacts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import expect

from ankommen.shared.auth import Role
from ankommen.shared.embedded import SERVICES, free_port
from ankommen.shared.settings import DEVELOPMENT_TOKEN_SECRET
from ankommen.tools.demo import Stack, load
from tests.browser.conftest import screenshot_path
from tests.support.polling import eventually

pytestmark = pytest.mark.slow


@pytest.fixture
def running_stack(tmp_path) -> Iterator[tuple[Stack, str]]:  # noqa: ANN001
    """``ankommen run`` (what ``make run`` starts) on free ports."""
    ports = {name: free_port() for name in SERVICES}
    bootstrap = f"127.0.0.1:{free_port()}"
    environment = {**os.environ, "ANKOMMEN_DATA_DIR": str(tmp_path / "var"),
                   "ANKOMMEN_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                   **{f"ANKOMMEN_{name.upper()}_HTTP_PORT": str(port)
                      for name, port in ports.items()}}
    with open(tmp_path / "run.log", "wb") as log:
        stack = subprocess.Popen([sys.executable, "-m", "ankommen.shared.cli.main", "run"],
                                 env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield Stack({name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
                        DEVELOPMENT_TOKEN_SECRET), bootstrap
        finally:
            stack.send_signal(signal.SIGINT)
            try:
                stack.wait(30)
            except subprocess.TimeoutExpired:
                stack.kill()


async def signed_in(page, base_url: str, stack: Stack, role: Role,  # noqa: ANN001
                    provider_id: str | None = None) -> None:
    token = stack.headers(role, provider_id)["Authorization"].removeprefix("Bearer ")
    await page.goto(f"{base_url}/login")
    await page.fill("textarea[name=token]", token)
    await page.click("form[action='/login'] button[type=submit]")


async def test_demo_load_populates_dashboard_coordinator_and_provider_pages(
        running_stack, page):
    stack, bootstrap = running_stack
    async with httpx.AsyncClient(timeout=2) as client:
        for name, url in stack.urls.items():
            await eventually(lambda url=url: client.get(f"{url}/readyz"),
                             until=lambda response: response.status_code == 200, timeout=90,
                             what=f"{name} ready")
    lines: list[str] = []
    summary = await load(stack, bootstrap, people=160, courses=24, seed=7, say=lines.append)
    assert summary.registered == 160 and summary.placements > 0, lines
    assert summary.reports["completion"] > 0 and summary.rejected == 0, lines

    await page.goto(f"{stack.urls['monitoring']}/")
    for figure in ("arrivals", "placements", "completed"):
        text = await page.locator(f"#figure-{figure}").text_content()
        assert text and text.strip().isdigit(), f"{figure}: {text!r} ({lines})"
    cells = await page.locator("section.view table tbody td.num").all_text_contents()
    shown = [text for text in cells if text.strip().isdigit()]
    assert len(shown) >= 10, f"published counts in the dashboard's tables: {cells}"
    await page.screenshot(path=screenshot_path("demo-dashboard"), full_page=True)

    await signed_in(page, stack.urls["assignment"], stack, Role.COORDINATOR)
    await page.goto(f"{stack.urls['assignment']}/ui/courses")
    await expect(page.get_by_text("Allgemeiner Integrationskurs").first).to_be_visible()

    await signed_in(page, stack.urls["progress"], stack, Role.PROVIDER, "vhs-heidekreis")
    await page.goto(f"{stack.urls['progress']}/")
    await expect(page.locator("#participants tbody tr").first).to_be_visible()
