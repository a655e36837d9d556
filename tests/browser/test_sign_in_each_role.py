"""Each of the five roles signs in the way a county's staff do (issue 20, acceptance): through
the identity provider's own login page (deploy/dev-idp as a real process), sees its own pages
and navigation, is answered by the sign-in page ("Ihre Rolle darf diese Seite nicht sehen")
on another role's page, signs out and is signed out at the provider too — the next sign-in
asks for the password again. And a clerk whose session ended while typing a registration
finds it filled in again after signing in.

One identity provider process, one chromium and the services (intake with a moved clock,
assignment, progress, monitoring; no broker) for the whole module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.async_api import Page
from sqlalchemy import func, select

from ankommen.intake.adapters.tables import cases
from ankommen.shared.clock import MovableClock
from ankommen.tools.embedded import free_port
from tests.browser.conftest import assert_accessible, fill_interview, screenshot_path
from tests.support.databases import DatabaseFactory
from tests.support.identity_provider import (
    PASSWORD,
    oidc_settings,
    page_client,
    running_identity_provider,
)
from tests.support.services import RunningService, served_over_http

SIGNED_IN_SERVICES = ("intake", "assignment", "progress")
FORBIDDEN = "Ihre Rolle darf diese Seite nicht sehen"


@dataclass
class County:
    urls: dict[str, str]
    intake: RunningService
    intake_clock: MovableClock
    idp: str


@pytest.fixture(scope="module")
async def county(tmp_path_factory) -> AsyncIterator[County]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("roles")
    databases = DatabaseFactory("sqlite", folder)
    # The provider's port first: the services must know its issuer, the provider their
    # redirect addresses, which exist only once they listen.
    idp_port = free_port()
    issuer = f"http://127.0.0.1:{idp_port}"
    clock = MovableClock()
    urls: dict[str, str] = {}
    running: dict[str, RunningService] = {}
    async with AsyncExitStack() as stack:
        for service in (*SIGNED_IN_SERVICES, "monitoring"):
            # Five people sign in from one address within a minute: more than the default
            # limit of sign-in steps allows one address.
            settings = {**oidc_settings(issuer, page_client(service, "http://placeholder")),
                        "login_rate_limit": "100/minute"} \
                if service in SIGNED_IN_SERVICES else {}
            base_url, running[service] = await stack.enter_async_context(served_over_http(
                service, bootstrap="127.0.0.1:1", database_url=await databases.url(service),
                clock=clock if service == "intake" else None, **settings))
            # A host name of its own (chromium resolves *.localhost to the loopback): cookies
            # do not tell ports apart, and the services' session cookies must not meet.
            urls[service] = base_url.replace("127.0.0.1", f"{service}.localhost")
        stack.enter_context(running_identity_provider(
            folder / "idp", [page_client(service, urls[service])
                             for service in SIGNED_IN_SERVICES], port=idp_port))
        yield County(urls, running["intake"], clock, issuer)


async def password_at_the_provider(page: Page, county: County, user: str) -> None:
    """The provider's login page must ask (no single sign-on left over) and is answered."""
    await page.wait_for_selector("#password")
    assert page.url.startswith(f"{county.idp}/interaction/")
    await page.fill("#login", user)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")


async def refused_elsewhere(page: Page, url: str) -> None:
    """Another role's page: the sign-in page, and through the provider (single sign-on, no
    password) the refusal in words."""
    await page.goto(url)
    assert "/login" in page.url
    await page.click("text=Beim Identitätsanbieter anmelden")
    await page.wait_for_url(lambda url: "reason=login.forbidden" in url)
    assert FORBIDDEN in await page.locator("main").inner_text()


async def sign_out_of_both(page: Page, home: str) -> None:
    await page.click("header .session button[type=submit]")
    await page.wait_for_selector("button[name=logout]")  # the provider's question
    await page.click("button[name=logout]")
    await page.wait_for_url(f"{home}/login")


#: user at the provider, its service and page, that page's first navigation entry, and a
#: page of another role
STAFF = [
    ("intake", "intake", "/", "Neue Person erfassen", ("assignment", "/ui/courses")),
    ("koordination", "assignment", "/ui/courses", "Kurskatalog", ("intake", "/ui/cases")),
    ("traeger-vhs", "progress", "/", "Teilnehmende", ("assignment", "/ui/courses")),
    ("admin", "assignment", "/ui/courses", "Kurskatalog", ("intake", "/")),
]


async def test_each_role_signs_in_at_the_provider_sees_its_pages_and_signs_out_of_both(
        county, page):
    for user, service, path, first_nav, (other, other_path) in STAFF:
        home = county.urls[service]
        await page.goto(f"{home}{path}")
        assert "/login" in page.url
        await page.click("text=Beim Identitätsanbieter anmelden")
        await password_at_the_provider(page, county, user)
        await page.wait_for_url(f"{home}{path}")
        assert user in await page.locator("header .who").inner_text()
        assert (await page.locator("nav[aria-label=main] a").all_inner_texts())[0] == first_nav
        await page.screenshot(path=screenshot_path(f"oidc-role-{user}"))
        await refused_elsewhere(page, f"{county.urls[other]}{other_path}")
        await page.goto(f"{home}{path}")
        await sign_out_of_both(page, home)

    # The monitoring viewer: statistics are public pages; every staff page refuses the role.
    assignment = county.urls["assignment"]
    await page.goto(f"{assignment}/ui/courses")
    await page.click("text=Beim Identitätsanbieter anmelden")
    await password_at_the_provider(page, county, "monitoring")
    await page.wait_for_url(lambda url: "reason=login.forbidden" in url)
    assert FORBIDDEN in await page.locator("main").inner_text()
    await refused_elsewhere(page, f"{county.urls['progress']}/")
    await page.goto(f"{county.urls['monitoring']}/")
    assert (await page.locator("nav[aria-label=main] a").all_inner_texts())[0] == "Übersicht"
    # Signed out at the provider from a service's sign-out page; asked for the password again.
    await page.goto(f"{assignment}/auth/signed-out")
    await page.click("button[name=logout]")
    await page.wait_for_url(f"{assignment}/login")
    await page.goto(f"{assignment}/ui/courses")
    await page.click("text=Beim Identitätsanbieter anmelden")
    await page.wait_for_selector("#password")


async def test_a_registration_sent_after_the_session_ended_is_filled_in_again(county, page):
    intake = county.urls["intake"]
    await page.goto(f"{intake}/")
    await page.click("text=Beim Identitätsanbieter anmelden")
    await password_at_the_provider(page, county, "intake")
    await page.wait_for_url(f"{intake}/")
    await fill_interview(page, "Hamadi", "Samira")
    county.intake_clock.advance(timedelta(minutes=31))  # past the session's idle time
    await page.click("#register")
    await page.wait_for_url(lambda url: "reason=reauth.form_kept" in url)
    assert "Ihre Eingaben sind aufbewahrt" in await page.locator("main").inner_text()
    assert "Hamadi" not in page.url

    await page.click("text=Beim Identitätsanbieter anmelden")  # single sign-on: no password
    await page.wait_for_url(f"{intake}/")
    assert await page.input_value("#family_name") == "Hamadi"
    assert await page.input_value("#given_names") == "Samira"
    assert await page.is_checked("input[name='goals[]'][value=work]")
    assert await page.locator("p.notice[role=status]").is_visible()
    await assert_accessible(page)
    await page.screenshot(path=screenshot_path("oidc-registration-kept-across-sign-in"))
    async with county.intake.runtime.sessions() as session:  # shown, not sent
        assert await session.scalar(select(func.count()).select_from(cases)) == 0
