"""Intake signed in through a real identity provider (deploy/dev-idp as a process), driven with
httpx as a browser would (issue 20):

- every access to identity is audited with the provider's subject, issuer and the person's name;
  tokens of ``ankommen token`` keep working and record their subject alone;
- viewing identity for a purpose not yet confirmed in the session, and erasing a case, ask for
  the password again at the provider (``prompt=login``) once the last entry is older than the
  window; the erasure's confirmation waits server-side and is shown again, not carried out;
  someone else typing their password confirms nothing;
- a registration sent after the session ended is kept (never in a URL) and shown again after
  sign-in, filled in and not sent.

One provider process for the module; intake in process with a moved clock, without a broker."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from ankommen.intake.adapters.tables import cases
from ankommen.shared.clock import MovableClock
from ankommen.shared.identity.auth import Role
from tests.support.identity_provider import (
    PASSWORD,
    IdentityProvider,
    page_client,
    running_identity_provider,
)
from tests.support.services import in_process, token
from tests.support.surveys import identity, registration

SERVICE = "http://intake"
CLIENT = page_client("intake", SERVICE)
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
LOGIN_FORM = re.compile(r'<form method="post" action="(/interaction/[^"]+/login)"')
AUTO_SUBMIT = re.compile(r'<title>Submitting Callback</title>.*?<form method="post" '
                         r'action="([^"]+)">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
NAME = "Hamadi"


class Browser:
    """Cookies per site; requests to the service go to the in-process app. Every address
    visited is remembered (no personal data may be in one)."""

    def __init__(self, service: httpx.AsyncClient) -> None:
        self.service = service
        self.provider = httpx.AsyncClient(timeout=10)
        self.visited: list[str] = []

    async def go(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        for _ in range(15):
            self.visited.append(url)
            client = self.service if url.startswith((SERVICE, "/")) else self.provider
            response = await client.request(method, url, **kwargs)
            submitted = AUTO_SUBMIT.search(response.text) if response.status_code == 200 \
                else None
            if submitted:
                # The provider's page that a browser's script sends on at once (it ends the
                # provider's session of the person signed in before).
                url, method = html.unescape(submitted.group(1)), "POST"
                kwargs = {"data": dict(HIDDEN.findall(submitted.group(2)))}
                continue
            if response.status_code not in (302, 303):
                return response
            url = urljoin(str(response.url), response.headers["location"])
            method, kwargs = "GET", {}
        raise AssertionError("too many redirects")

    async def password(self, form: httpx.Response, user: str) -> httpx.Response:
        """The provider's login form (it must be one), answered as ``user``."""
        assert urlsplit(str(form.url)).path.startswith("/interaction/"), form.text
        action = LOGIN_FORM.search(form.text).group(1)
        return await self.go("POST", urljoin(str(form.url), action),
                             data={"login": user, "password": PASSWORD})

    async def sign_in(self, user: str, page: str) -> httpx.Response:
        login_page = await self.go("GET", page)
        start = re.search(r'href="(/auth/start\?next=[^"]+)"', login_page.text).group(1)
        return await self.password(await self.go("GET", html.unescape(start)), user)

    async def csrf(self, page: str) -> str:
        return CSRF_FIELD.search((await self.go("GET", page)).text).group(1)


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory) -> IdentityProvider:  # noqa: ANN001
    with running_identity_provider(tmp_path_factory.mktemp("idp"), [CLIENT]) as provider:
        yield provider


@pytest.fixture
async def world(identity_provider, sqlite_databases
                ) -> AsyncIterator[tuple[Browser, MovableClock, object]]:
    clock = MovableClock()
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake"), clock=clock,
                          **identity_provider.settings(CLIENT)) as intake:
        browser = Browser(intake.client)
        try:
            yield browser, clock, intake
        finally:
            await browser.provider.aclose()


async def registered_case(intake) -> str:  # noqa: ANN001
    response = await intake.client.post("/cases", headers=token(Role.INTAKE_STAFF),
                                        json=registration(person=identity(family_name=NAME)))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


async def audit(intake, case_id: str | None = None) -> list[dict]:  # noqa: ANN001
    params = {"case_id": case_id} if case_id else {}
    return (await intake.client.get("/audit", params=params, headers=token(Role.ADMIN))).json()


async def test_identity_reads_are_audited_with_the_providers_person_and_new_purposes_and_erasure_ask_for_the_password(  # noqa: E501
        world, identity_provider):
    browser, clock, intake = world
    case_id = await registered_case(intake)  # by `ankommen token`: subject only
    assert (await browser.sign_in("intake", "/ui/cases")).status_code == 200

    # Just signed in with the password: the first purpose needs no second entry.
    page = await browser.go("GET", f"/ui/cases/{case_id}?purpose=counselling")
    assert page.status_code == 200 and NAME in page.text
    entries = await audit(intake, case_id)
    read = next(entry for entry in entries if entry["action"] == "read_identity")
    assert (read["actor"], read["actor_name"], read["actor_issuer"]) == (
        "intake", "Ina Intake (Entwicklung)", identity_provider.issuer)
    registered = next(entry for entry in entries if entry["action"] == "register")
    assert registered["actor_name"] is None and registered["actor_issuer"] is None

    # Six minutes later: a purpose already confirmed goes ahead, a new one asks again.
    clock.advance(timedelta(minutes=6))
    assert (await browser.service.get(f"/ui/cases/{case_id}?purpose=counselling")
            ).status_code == 200
    asked = await browser.go("GET", f"/ui/cases/{case_id}?purpose=correction")
    assert "prompt=login" in browser.visited[-2] and "max_age=300" in browser.visited[-2]
    shown = await browser.password(asked, "intake")
    assert str(shown.url) == f"{SERVICE}/ui/cases/{case_id}?purpose=correction"
    assert NAME in shown.text

    # Erasure six minutes after that: the password again; someone else's confirms nothing.
    clock.advance(timedelta(minutes=6))
    csrf = await browser.csrf(f"/ui/cases/{case_id}/erase")
    asked = await browser.go("POST", f"/ui/cases/{case_id}/erase",
                             data={"csrftoken": csrf, "confirm": "erase"})
    refused = await browser.password(asked, "admin")
    assert refused.status_code == 403 and "andere Person" in refused.text
    assert (await browser.service.get(f"/ui/cases/{case_id}?purpose=counselling")
            ).status_code == 200  # still the clerk's session, case not erased

    asked = await browser.go("POST", f"/ui/cases/{case_id}/erase",
                             data={"csrftoken": csrf, "confirm": "erase"})
    back = await browser.password(asked, "intake")
    assert str(back.url) == f"{SERVICE}/ui/cases/{case_id}/erase"
    assert 'value="erase" checked' in back.text and 'class="notice"' in back.text
    async with intake.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(cases)) == 1
    erased = await browser.go("POST", f"/ui/cases/{case_id}/erase",
                              data={"csrftoken": CSRF_FIELD.search(back.text).group(1),
                                    "confirm": "erase"})
    assert str(erased.url) == f"{SERVICE}/ui/erased"
    erase_entry = next(entry for entry in await audit(intake) if entry["action"] == "erase")
    assert erase_entry["actor_name"] == "Ina Intake (Entwicklung)"
    assert not any(NAME in url for url in browser.visited)


async def test_a_registration_sent_after_the_session_ended_is_shown_again_after_sign_in(world):
    browser, clock, intake = world
    assert (await browser.sign_in("intake", "/")).status_code == 200
    csrf = await browser.csrf("/")
    clock.advance(timedelta(minutes=31))  # past the idle timeout
    sent = await browser.go("POST", "/", data={
        "csrftoken": csrf, "family_name": NAME, "given_names": "Samira",
        "birth_date": "1990-03-04", "goals[]": ["work", "university"]})
    assert "/login" in str(sent.url) and "Ihre Eingaben sind aufbewahrt" in sent.text
    kept = browser.service.cookies.get("ankommen_kept_form")
    assert kept and NAME not in kept

    # Signed in again (single sign-on: no password), the form is back, filled in, not sent.
    start = re.search(r'href="(/auth/start\?next=[^"]+)"', sent.text).group(1)
    form = await browser.go("GET", html.unescape(start))
    assert str(form.url) == f"{SERVICE}/"
    assert f'value="{NAME}"' in form.text and 'value="Samira"' in form.text
    assert 'name="goals[]" value="university" checked' in form.text
    assert 'name="goals[]" value="work" checked' in form.text
    assert 'class="notice"' in form.text
    async with intake.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(cases)) == 0
    assert not any(NAME in url for url in browser.visited)
    # Once only: reloading shows the blank form.
    assert f'value="{NAME}"' not in (await browser.go("GET", "/")).text


async def test_a_survey_correction_sent_after_the_session_ended_is_shown_again_and_a_made_up_reauthentication_asks_nothing_more(  # noqa: E501
        world):
    browser, clock, intake = world
    case_id = await registered_case(intake)
    survey = f"/ui/cases/{case_id}/survey"
    assert (await browser.sign_in("intake", survey)).status_code == 200
    form = await browser.go("GET", survey)
    clock.advance(timedelta(minutes=31))
    sent = await browser.go("POST", survey, data={
        "csrftoken": CSRF_FIELD.search(form.text).group(1), "schooling_years": "13"})
    assert "Ihre Eingaben sind aufbewahrt" in sent.text
    start = re.search(r'href="(/auth/start\?next=[^"]+)"', sent.text).group(1)
    again = await browser.go("GET", html.unescape(start))
    assert str(again.url) == f"{SERVICE}{survey}"
    assert 'value="13"' in again.text and 'class="notice"' in again.text

    # A link naming an action that is not configured starts an ordinary sign-in.
    made_up = await browser.service.get("/auth/start?next=/&reauth=everything")
    assert "prompt=login" not in made_up.headers["location"]
