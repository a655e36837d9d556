"""A coordinator signs in the way a county's staff do (issue 20): through the identity
provider's own login page (the development provider, deploy/dev-idp, as a real process), sees
a coordinator page, signs out, and is signed out at the provider too (it asks for the password
again)."""

from __future__ import annotations

from ankommen.tools.embedded import free_port
from tests.browser.conftest import assert_accessible, screenshot_path
from tests.support.identity_provider import (
    PASSWORD,
    oidc_settings,
    page_client,
    running_identity_provider,
)
from tests.support.services import served_over_http


async def test_a_coordinator_signs_in_at_the_provider_and_out_of_both(
        tmp_path, sqlite_databases, page):
    # The provider's port first: the service must know its issuer, the provider the service's
    # redirect address, which exists only once the service listens.
    idp_port = free_port()
    settings = oidc_settings(f"http://127.0.0.1:{idp_port}",
                             page_client("assignment", "http://placeholder"))
    async with served_over_http("assignment", bootstrap="127.0.0.1:1",
                                database_url=await sqlite_databases.url("assignment"),
                                **settings) as (base_url, _):
        client = page_client("assignment", base_url)
        with running_identity_provider(tmp_path / "idp", [client], port=idp_port):
            await page.goto(f"{base_url}/ui/courses")
            assert "/login" in page.url
            await assert_accessible(page)
            await page.click("text=Beim Identitätsanbieter anmelden")
            await page.wait_for_selector("#login")
            assert page.url.startswith(f"http://127.0.0.1:{idp_port}/interaction/")
            await page.screenshot(path=screenshot_path("oidc-provider-login"))
            await page.fill("#login", "koordination")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base_url}/ui/courses")
            assert await page.locator("h1").inner_text() == "Kurskatalog"
            assert "koordination" in await page.locator(".who").inner_text()
            await assert_accessible(page)
            await page.screenshot(path=screenshot_path("oidc-signed-in-coordinator"))

            await page.click("header .session button[type=submit]")
            await page.wait_for_selector("button[name=logout]")  # the provider's question
            await page.click("button[name=logout]")
            await page.wait_for_url(f"{base_url}/login")
            await page.goto(f"{base_url}/ui/courses")
            assert "/login" in page.url
            await page.click("text=Beim Identitätsanbieter anmelden")
            # No single sign-on left at the provider: it asks for the password again.
            await page.wait_for_selector("#password")

