"""Signing in through a real OpenID Connect provider (deploy/dev-idp: panva's oidc-provider as
a process) with the authorisation code flow, driven with httpx as a browser would: the
provider's login form, the callback, a page for the role, a refusal for a person in no mapped
group, and signing out at the provider too.

Assignment in process, without a broker (nothing here crosses one); the provider redirects to
``http://assignment/auth/callback``, which this test hands to the in-process app."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from ankommen.shared.clock import MovableClock
from ankommen.shared.web.pages import session_cookie
from ankommen.tools.embedded import free_port
from tests.support.identity_provider import (
    PASSWORD,
    page_client,
    running_identity_provider,
)
from tests.support.services import in_process

SERVICE = "http://assignment"
#: Assignment's session cookie: the service these tests sign in at.
SESSION = session_cookie("assignment")
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
LOGIN_FORM = re.compile(r'<form method="post" action="(/interaction/[^"]+/login)"')
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0;url=([^"]+)">')
LOGOUT_FORM = re.compile(r'<form id="op.logoutForm" method="post" action="([^"]+)">(.*?)</form>',
                         re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Browser:
    """One cookie jar per site, requests to the service go to the in-process app."""

    def __init__(self, service: httpx.AsyncClient) -> None:
        self.service = service
        self.provider = httpx.AsyncClient(timeout=10)

    async def go(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """The request, then its redirects followed (303/302 become GET)."""
        for _ in range(15):
            client = self.service if url.startswith(SERVICE) or url.startswith("/") \
                else self.provider
            response = await client.request(method, url, **kwargs)
            if response.status_code not in (302, 303):
                return response
            url = urljoin(str(response.url), response.headers["location"])
            method, kwargs = "GET", {}
        raise AssertionError("too many redirects")


@asynccontextmanager
async def signed_in_world(tmp_path, sqlite_databases, clock: MovableClock | None = None
                          ) -> AsyncIterator[Browser]:
    client = page_client("assignment", SERVICE)
    with running_identity_provider(tmp_path / "idp", [client]) as provider:
        async with in_process("assignment", bootstrap="127.0.0.1:1",
                              database_url=await sqlite_databases.url("assignment"),
                              clock=clock, **provider.settings(client)) as assignment:
            browser = Browser(assignment.client)
            try:
                yield browser
            finally:
                await browser.provider.aclose()


async def sign_in(browser: Browser, user: str, page: str) -> httpx.Response:
    login_page = await browser.go("GET", page)
    assert "Beim Identitätsanbieter anmelden" in login_page.text
    start = re.search(r'href="(/auth/start\?next=[^"]+)"', login_page.text).group(1)
    form = await browser.go("GET", html.unescape(start))
    assert urlsplit(str(form.url)).path.startswith("/interaction/"), form.text
    action = LOGIN_FORM.search(form.text).group(1)
    return await browser.go("POST", urljoin(str(form.url), action),
                            data={"login": user, "password": PASSWORD})


async def test_a_coordinator_signs_in_at_the_provider_and_out_again(tmp_path, sqlite_databases):
    async with signed_in_world(tmp_path, sqlite_databases) as browser:
        page = await sign_in(browser, "koordination", "/ui/courses")
        assert str(page.url) == f"{SERVICE}/ui/courses", page.text
        assert page.status_code == 200
        assert "koordination" in page.text and "role.coordinator" not in page.text
        cookie = browser.service.cookies.get(SESSION)
        assert cookie and "." not in cookie  # a random id, not a token

        # Signing out: the session ends here and at the provider.
        csrf = CSRF_FIELD.search(page.text).group(1)
        signed_out = await browser.go("POST", "/logout", data={"csrftoken": csrf})
        assert (await browser.service.get("/ui/courses")).status_code == 303
        end_session = html.unescape(REFRESH.search(signed_out.text).group(1))
        confirm = await browser.go("GET", end_session)
        action, fields = LOGOUT_FORM.search(confirm.text).groups()
        back = await browser.go("POST", urljoin(str(confirm.url), action),
                                data={**dict(HIDDEN.findall(fields)), "logout": "yes"})
        assert str(back.url).startswith(f"{SERVICE}/login")
        # The provider asks for the password again: no single sign-on left.
        again = await browser.go("GET", "/auth/start?next=/ui/courses")
        assert LOGIN_FORM.search(again.text)


async def test_a_person_in_no_mapped_group_is_refused_with_a_german_page(
        tmp_path, sqlite_databases):
    async with signed_in_world(tmp_path, sqlite_databases) as browser:
        refused = await sign_in(browser, "gast", "/ui/courses")
        assert refused.status_code == 403
        assert "keiner Rolle in ankommen zugeordnet" in refused.text
        assert (await browser.service.get("/ui/courses")).status_code == 303


async def test_a_session_unused_past_its_idle_time_leads_back_to_sign_in(
        tmp_path, sqlite_databases):
    clock = MovableClock()
    async with signed_in_world(tmp_path, sqlite_databases, clock) as browser:
        assert (await sign_in(browser, "koordination", "/ui/courses")).status_code == 200
        clock.advance(timedelta(minutes=29))
        assert (await browser.service.get("/ui/courses")).status_code == 200
        clock.advance(timedelta(minutes=30))
        expired = await browser.go("GET", "/ui/courses")
        assert "/login" in str(expired.url)
        assert "Ihre Sitzung ist abgelaufen" in expired.text


async def test_a_wrong_password_stays_at_the_provider_and_intake_staff_see_no_coordinator_page(
        tmp_path, sqlite_databases):
    async with signed_in_world(tmp_path, sqlite_databases) as browser:
        login_page = await browser.go("GET", "/auth/start?next=/ui/courses")
        action = LOGIN_FORM.search(login_page.text).group(1)
        wrong = await browser.go("POST", urljoin(str(login_page.url), action),
                                 data={"login": "koordination", "password": "falsch"})
        assert wrong.status_code == 401 and "stimmt nicht" in wrong.text
        page = await browser.go("POST", urljoin(str(login_page.url), action),
                                data={"login": "intake", "password": PASSWORD})
        assert "/login" in str(page.url) and "Ihre Rolle darf diese Seite nicht sehen" in page.text
        # A forged callback (no flow under way) signs nobody in.
        forged = await browser.go("GET", "/auth/callback?state=made-up&code=x")
        assert forged.status_code == 400 and "fehlgeschlagen" in forged.text


async def test_a_callback_started_in_another_browser_signs_nobody_in(tmp_path, sqlite_databases):
    """Login CSRF: the attacker starts a sign-in, signs in as themselves at the provider and
    hands the victim the callback URL; the victim's browser did not start that flow."""
    async with signed_in_world(tmp_path, sqlite_databases) as attacker:
        form = await attacker.go("GET", "/auth/start?next=/ui/courses")
        action = LOGIN_FORM.search(form.text).group(1)
        answer = await attacker.provider.post(urljoin(str(form.url), action),
                                              data={"login": "koordination",
                                                    "password": PASSWORD})
        while not answer.headers["location"].startswith(SERVICE):
            answer = await attacker.provider.get(urljoin(str(answer.url),
                                                         answer.headers["location"]))
        callback = answer.headers["location"]
        attacker.service.cookies.clear()  # the victim's browser: no sign-in cookie of this flow
        victim = await attacker.go("GET", callback)
        assert victim.status_code == 400 and "fehlgeschlagen" in victim.text
        assert attacker.service.cookies.get(SESSION) is None



async def test_rotating_the_providers_signing_key_interrupts_nobody(tmp_path, sqlite_databases):
    client = page_client("assignment", SERVICE)
    folder, port = tmp_path / "idp", free_port()
    with ExitStack() as first_start:
        provider = first_start.enter_context(running_identity_provider(folder, [client],
                                                                       port=port))
        async with in_process("assignment", bootstrap="127.0.0.1:1",
                              database_url=await sqlite_databases.url("assignment"),
                              **provider.settings(client)) as assignment:
            browser = Browser(assignment.client)
            try:
                assert (await sign_in(browser, "koordination", "/ui/courses")).status_code == 200
                signed_in = browser.service.cookies.get(SESSION)
                old_key = _signing_key(provider.keys_file)

                first_start.close()
                provider.rotate_keys()
                new_key = _signing_key(provider.keys_file)
                assert new_key != old_key
                with running_identity_provider(folder, [client], port=port):
                    # Whoever is signed in stays signed in: the session is ours.
                    assert (await browser.service.get("/ui/courses")).status_code == 200
                    # Whoever signs in now gets an ID token signed with the new key.
                    browser.service.cookies.clear()
                    browser.provider.cookies.clear()
                    page = await sign_in(browser, "koordination", "/ui/courses")
                    assert page.status_code == 200 and str(page.url).endswith("/ui/courses")
                    known = {key["kid"] for key in
                             assignment.runtime._oidc.client._jwks["keys"]}
                    assert {old_key, new_key} <= known
                    browser.service.cookies.set(SESSION, signed_in)
                    assert (await browser.service.get("/ui/courses")).status_code == 200
            finally:
                await browser.provider.aclose()


def _signing_key(keys_file: Path) -> str:
    return json.loads(keys_file.read_text())["keys"][0]["kid"]
