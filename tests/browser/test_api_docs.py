"""The interactive API documentation in a real browser: Swagger UI renders the operations
under the strict Content-Security-Policy, from our own origin only."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import screenshot_path
from tests.support.services import served_over_http


async def test_swagger_ui_renders_the_operations_without_a_csp_violation_or_other_origin(
        kafka, sqlite_databases, page):
    async with served_over_http("assignment", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("assignment")
                                ) as (base_url, _):
        problems: list[str] = []
        # A CSP violation is a console error in chromium; so is a script that failed.
        page.on("console", lambda message: problems.append(
            f"{message.text} {message.location.get('url')}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(f"{base_url}/docs")

        await expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
        await expect(page.locator(".opblock-summary-path",
                                  has_text="/waiting-list").first).to_be_visible()
        # "Try it out" calls the API from the page (connect-src 'self' is enough).
        health = page.locator(".opblock", has=page.locator(".opblock-summary-path",
                                                           has_text="/healthz"))
        if not await health.locator(".opblock-body").is_visible():
            await health.locator(".opblock-summary").click()
        await health.get_by_role("button", name="Try it out").click()
        await health.get_by_role("button", name="Execute").click()
        await expect(health.locator(".live-responses-table tbody .response-col_status").first
                     ).to_have_text("200")
        await page.screenshot(path=screenshot_path("api-docs"), full_page=False)

    assert not problems, problems
    elsewhere = [url for url in requested
                 if not url.startswith(base_url) and not url.startswith("data:")]
    assert not elsewhere, f"requests to other origins: {elsewhere}"
    assert f"{base_url}/openapi.json" in requested
