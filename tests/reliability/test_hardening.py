"""Hardening of every service's HTTP surface (shared/web/hardening.py, installed by the app
factory): body size limits, rate limits on sign-in and search (per real client address,
whatever X-Forwarded-For says), CSRF on every state change of a page whatever its content
type, secure cookies, a Content-Security-Policy on every page, and names without control or
direction characters."""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from ankommen.shared.identity.auth import Role
from ankommen.shared.web.pages import session_cookie
from tests.support.figures import record
from tests.support.services import (
    RunningService,
    in_process,
    served_over_http,
    settings_for,
    token,
)
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token, retired_secret_token

pytestmark = pytest.mark.reliability

SERVICES = ("intake", "assignment", "progress", "monitoring")
#: Which role may see each service's pages (monitoring's are public).
PAGE_ROLE = {"intake": Role.INTAKE_STAFF, "assignment": Role.COORDINATOR,
             "progress": Role.PROVIDER, "monitoring": None}
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


@contextlib.asynccontextmanager
async def running(service: str, kafka, databases, **settings: object  # noqa: ANN001
                  ) -> AsyncIterator[RunningService]:
    async with in_process(service, bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url(service), **settings) as running:
        yield running


def session_token(role: Role) -> str:
    return issue_token(role, "test", provider_id="vhs-a" if role is Role.PROVIDER else None)


async def csrf_token(client: httpx.AsyncClient, page: str = "/login") -> str:
    """The token a browser would find in the page's form (its cookie is now in the jar)."""
    response = await client.get(page)
    assert response.status_code == 200, response.text
    return CSRF_FIELD.search(response.text).group(1)


async def test_bodies_beyond_the_limit_are_refused_with_413_naming_the_limit(
        kafka, sqlite_databases):  # noqa: ANN001
    async with running("intake", kafka, sqlite_databases) as intake:
        big = {**registration(), "padding": "x" * (1024 * 1024 + 1)}
        refused = await intake.client.post("/cases", json=big, headers=token(Role.INTAKE_STAFF))
        normal = await intake.client.post("/cases", json=registration(),
                                          headers=token(Role.INTAKE_STAFF))
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "too large" in refused.json()["detail"].lower() or "1048576" in refused.text
    assert normal.status_code == 201
    record("hardening", "request body limit (bytes)", 1024 * 1024)


async def test_an_upload_has_its_own_larger_limit(kafka, sqlite_databases):  # noqa: ANN001
    headers = token(Role.PROVIDER, "vhs-a")
    # The upload limit is a setting (20 MB by default); 4 MB here keeps the test light.
    async with running("progress", kafka, sqlite_databases,
                       csv_max_bytes=4 * 1024 * 1024) as progress:
        # Columns no list has: read in full, then refused for them (not for its size).
        two_mb = b"spalte_a;spalte_b\n" + b"REF-X;attendance\n" * (2 * 1024 * 1024 // 17)
        accepted = await progress.client.post("/reports/csv", headers=headers,
                                              files={"file": ("list.csv", two_mb)})
        six_mb = b"spalte_a;spalte_b\n" + b"REF-X;attendance\n" * (6 * 1024 * 1024 // 17)
        refused = await progress.client.post("/reports/csv", headers=headers,
                                             files={"file": ("list.csv", six_mb)})
        # The provider's upload form has the same limit (it read at most the app's 1 MB: the
        # CSRF check reads the form before routing), and a browser gets a page, not JSON.
        progress.sign_in_with(session_token(Role.PROVIDER))
        form = {"csrftoken": await csrf_token(progress.client, "/upload")}
        browser = {"Accept": "text/html,*/*;q=0.8"}
        two_in_the_form = await progress.client.post("/upload", data=form, headers=browser,
                                                     files={"file": ("list.csv", two_mb)})
        in_the_form = await progress.client.post("/upload", data=form, headers=browser,
                                                 files={"file": ("list.csv", six_mb)})
    assert two_in_the_form.status_code != 413, two_in_the_form.text[:300]
    # Read (and refused for its columns, which it lacks): beyond the 1 MB default limit.
    assert accepted.status_code == 422 and "missing column" in accepted.text, accepted.text
    assert refused.status_code == 413, refused.text[:300]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert in_the_form.status_code == 413
    assert in_the_form.headers["content-type"].startswith("text/html")
    assert "Die Datei ist zu groß" in in_the_form.text and "höchstens 4 MB" in in_the_form.text


async def test_sign_in_is_rate_limited_with_retry_after(kafka, sqlite_databases):  # noqa: ANN001
    async with running("progress", kafka, sqlite_databases,
                       login_rate_limit="3/minute") as progress:
        form = {"csrftoken": await csrf_token(progress.client), "token": "guessed"}
        answers = [await progress.client.post("/login", data=form) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert "<h1>Zu viele Anfragen</h1>" in answers[-1].text, "a page, not JSON"
    record("hardening", "sign-in attempts per minute (default)",
           settings_for("progress").login_rate_limit)


async def sign_in_answers(client: httpx.AsyncClient, forwarded_for: list[str],
                          header: str = "X-Forwarded-For") -> list[int]:
    form = {"csrftoken": await csrf_token(client), "token": "guessed"}
    return [(await client.post("/login", data=form, headers={header: value})).status_code
            for value in forwarded_for]


async def test_x_forwarded_for_from_loopback_does_not_change_the_rate_limit_key(
        kafka, sqlite_databases):  # noqa: ANN001
    """The attack: from the machine itself, a new X-Forwarded-For on every guess (uvicorn
    believed it from 127.0.0.1). Served for real, as ``serve`` serves it."""
    rotating = [f"203.0.113.{number}" for number in range(4)]
    async with served_over_http("progress", bootstrap=kafka.bootstrap_servers,
                                database_url=await sqlite_databases.url("progress"),
                                login_rate_limit="3/minute") as (_, progress):
        answers = await sign_in_answers(progress.client, rotating)
        forwarded = await sign_in_answers(progress.client, ["for=198.51.100.1"], "Forwarded")
    assert answers == [401, 401, 401, 429]
    assert forwarded == [429]


async def test_behind_a_configured_proxy_the_forwarded_address_is_the_client(
        kafka, sqlite_databases):  # noqa: ANN001
    # In process, every request comes from 127.0.0.1: here that is the proxy.
    async with running("progress", kafka, sqlite_databases, login_rate_limit="3/minute",
                       trusted_proxies="127.0.0.1") as progress:
        rotating = await sign_in_answers(progress.client,
                                         [f"203.0.113.{number}" for number in range(4)])
        one_client = await sign_in_answers(progress.client, ["198.51.100.7"] * 4)
        # Addresses the client writes in front of the proxy's own are not believed.
        spoofed = await sign_in_answers(progress.client, [f"10.9.9.{number}, 198.51.100.8"
                                                          for number in range(4)])
    assert rotating == [401] * 4
    assert one_client == [401, 401, 401, 429]
    assert spoofed == [401, 401, 401, 429]


async def test_a_token_signed_with_the_retired_shared_secret_opens_nothing(
        kafka, sqlite_databases):  # noqa: ANN001
    """The attack the asymmetric tokens stop: a token made with the secret every service once
    shared (and any of them could sign with) is refused by the API and by the sign-in page."""
    forged = retired_secret_token(Role.INTAKE_STAFF)
    async with running("intake", kafka, sqlite_databases) as intake:
        api = await intake.client.post("/cases", json=registration(),
                                       headers={"Authorization": f"Bearer {forged}"})
        form = {"csrftoken": await csrf_token(intake.client), "token": forged}
        sign_in = await intake.client.post("/login", data=form)
    assert api.status_code == 401, api.text
    assert "not signed with EdDSA" in api.json()["detail"]
    assert sign_in.status_code == 401 and intake.session_cookie not in sign_in.cookies


async def test_case_search_is_rate_limited_with_retry_after(kafka, sqlite_databases):  # noqa: ANN001
    query = {"family_name": "Nowak", "given_names": "Ana", "birth_date": "1990-01-01",
             "purpose": "check before registering"}
    async with running("intake", kafka, sqlite_databases,
                       search_rate_limit="2/minute") as intake:
        answers = [await intake.client.post("/cases/search", json=query,
                                            headers=token(Role.INTAKE_STAFF))
                   for _ in range(3)]
    assert [answer.status_code for answer in answers[:2]] != [429, 429], answers[0].text
    assert answers[2].status_code == 429
    assert int(answers[2].headers["Retry-After"]) >= 1
    record("hardening", "case searches per minute (default)",
           settings_for("intake").search_rate_limit)


@pytest.mark.parametrize("service", ["intake", "assignment", "progress"])
async def test_forms_without_the_csrf_token_are_refused(service, kafka, sqlite_databases):  # noqa: ANN001
    signed_in = session_token(PAGE_ROLE[service])
    async with running(service, kafka, sqlite_databases) as running_service:
        client = running_service.client
        good = await csrf_token(client)
        forged = await client.post("/login", data={"token": signed_in})
        wrong = await client.post("/login", data={"token": signed_in, "csrftoken": "x" + good})
        without_cookie = await httpx.AsyncClient(
            transport=client._transport, base_url=str(client.base_url)).post(  # noqa: SLF001
                "/login", data={"token": signed_in})
        honest = await client.post("/login", data={"token": signed_in, "csrftoken": good})
        # Signed in by cookie now: a forged logout (a state change by form) is refused too.
        forged_logout = await client.post("/logout", data={})
    assert forged.status_code == 403 and "csrf" in forged.text
    assert wrong.status_code == 403
    assert without_cookie.status_code == 403
    assert honest.status_code == 303, honest.text
    assert forged_logout.status_code == 403


async def test_bearer_api_requests_need_no_csrf_token(kafka, sqlite_databases):  # noqa: ANN001
    async with running("intake", kafka, sqlite_databases) as intake:
        await csrf_token(intake.client)  # a CSRF cookie in the jar must not matter,
        # nor a session cookie (the API docs' "try it out" in a signed-in browser)
        intake.sign_in_with(session_token(Role.INTAKE_STAFF))
        answer = await intake.client.post("/cases", json=registration(),
                                          headers=token(Role.INTAKE_STAFF))
    assert answer.status_code == 201, answer.text


def state_changing_page_routes(service: str) -> list[tuple[str, str]]:
    """(method, path) of every page route that changes state: routes outside the API schema
    with a method other than GET, from the app itself."""
    app = importlib.import_module(f"ankommen.{service}.app").create_app(
        settings_for(service, database_url="sqlite+aiosqlite://"))
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and not route.include_in_schema:
            path = re.sub(r"\{[^}]+\}", "REF-PAGE01", context.path)
            found |= {(method, path) for method in route.methods - {"GET", "HEAD"}}
    return sorted(found)


#: A forged request's body, every way a browser (or anyone) can send one — none with a token.
FORGED_BODIES = {
    "json": {"json": {"token": "x", "next": "/"}},
    "text/plain": {"content": "token=x", "headers": {"Content-Type": "text/plain"}},
    "multipart": {"files": {"file": ("list.csv", b"referral_code;kind\n")},
                  "data": {"kind": "enrolment"}},
    "urlencoded": {"data": {"kind": "enrolment"}},
    "no content type": {"content": b""},
}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_page_state_change_needs_the_csrf_token_whatever_the_content_type(
        service, kafka, sqlite_databases):  # noqa: ANN001
    """The attack: a signed-in browser's cookies, a body without the token (JSON, text/plain,
    multipart, urlencoded, none), even with a bearer header beside the cookie."""
    routes = state_changing_page_routes(service)
    role = PAGE_ROLE[service]
    if role is None:  # monitoring: public pages that only read
        assert routes == [], routes
        return
    signed_in = session_token(role)
    async with running(service, kafka, sqlite_databases) as running_service:
        client = running_service.client
        good = await csrf_token(client)
        running_service.sign_in_with(signed_in)
        answers = {}
        for method, path in routes:
            for kind, body in FORGED_BODIES.items():
                answers[method, path, kind] = await client.request(method, path, **body)
            answers[method, path, "json with bearer"] = await client.request(
                method, path, json={},
                headers=token(role, "vhs-a" if role is Role.PROVIDER else None))
        honest = await client.post("/logout", data={"csrftoken": good})
    assert ("POST", "/logout") in routes and len(routes) >= 3, routes
    accepted = {key: answer.status_code for key, answer in answers.items()
                if answer.status_code != 403 or "csrf" not in answer.text}
    assert not accepted, accepted
    assert honest.status_code == 303, honest.text
    record("hardening", f"{service}: state-changing page routes checked for CSRF", len(routes))


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header.lower()
            for header in response.headers.get_list("set-cookie")}


async def test_cookies_are_httponly_samesite_strict_and_secure_when_configured(
        kafka, sqlite_databases):  # noqa: ANN001
    signed_in = session_token(Role.COORDINATOR)
    async with running("assignment", kafka, sqlite_databases, secure_cookies=True) as secure:
        page = await secure.client.get("/login")
        token_in_page = CSRF_FIELD.search(page.text).group(1)
        secure.client.cookies.set("ankommen_csrf", token_in_page)
        login = await secure.client.post("/login", data={"token": signed_in,
                                                         "csrftoken": token_in_page})
    async with running("assignment", kafka, sqlite_databases) as development:
        plain = await development.client.post("/login", data={
            "token": signed_in, "csrftoken": await csrf_token(development.client)})
    csrf_cookie = set_cookies(page)["ankommen_csrf"]
    session = set_cookies(login)[session_cookie("assignment")]
    assert "secure" in csrf_cookie and "samesite=strict" in csrf_cookie
    assert all(flag in session for flag in ("secure", "httponly", "samesite=strict"))
    development_session = set_cookies(plain)[session_cookie("assignment")]
    assert "httponly" in development_session and "samesite=strict" in development_session
    assert "secure" not in development_session  # plain http on a developer's machine


def page_paths(service: str) -> list[str]:
    """Every HTML page a service serves: GET routes outside the API schema (``/docs`` too),
    but for the machine-readable documents beside ``/openapi.json`` (``/asyncapi.json``)."""
    app = importlib.import_module(f"ankommen.{service}.app").create_app(
        settings_for(service, database_url="sqlite+aiosqlite://"))
    paths = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in route.methods \
                and not route.include_in_schema and not context.path.endswith(".json"):
            paths.append(re.sub(r"\{[^}]+\}", "REF-PAGE01", context.path))
    return sorted({*paths, "/docs"})


@pytest.mark.parametrize("service", SERVICES)
async def test_every_page_has_a_content_security_policy(service, kafka, sqlite_databases):  # noqa: ANN001
    paths = page_paths(service)
    role = PAGE_ROLE[service]
    async with running(service, kafka, sqlite_databases) as running_service:
        if role:
            running_service.sign_in_with(session_token(role))
        answers = {path: await running_service.client.get(path, follow_redirects=True)
                   for path in paths}
    html = {path: answer for path, answer in answers.items()
            if answer.headers.get("content-type", "").startswith("text/html")}
    assert len(html) >= len(paths) - 1, {p: a.status_code for p, a in answers.items()}
    for path, answer in html.items():
        policy = answer.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
    record("hardening", f"{service}: pages checked for a CSP", len(html))


async def test_names_with_control_or_direction_characters_are_refused_naming_the_field(
        kafka, sqlite_databases):  # noqa: ANN001
    """The attack: a name with NUL, a line break or a right-to-left override, which the
    provider of a placement would be shown. Refused on the API (422 naming the field, in
    English) and on the staff's form (in German, at the field)."""
    forged = {"NUL": "Anna\x00", "line feed": "Anna\nSchmidt", "RLO": "\u202eadimhcS"}
    legitimate = ["محمد عبد الله", "ሰላም ተስፋዬ", "Алексей", "Zoë O'Brien-Łukasiewicz",
                  "علی\u200cرضا"]
    async with running("intake", kafka, sqlite_databases) as intake:
        api = {kind: await intake.client.post("/cases", headers=token(Role.INTAKE_STAFF),
                                              json=registration(person=identity(
                                                  family_name=name, given_names=name)))
               for kind, name in forged.items()}
        accepted = [await intake.client.post("/cases", headers=token(Role.INTAKE_STAFF),
                                             json=registration(person=identity(
                                                 family_name=name, given_names=name)))
                    for name in legitimate]
        good = await csrf_token(intake.client)
        intake.sign_in_with(session_token(Role.INTAKE_STAFF))
        forms = {kind: await intake.client.post("/", data={
            "csrftoken": good, "family_name": name, "given_names": "Anna",
            "birth_date": "1990-01-01"}) for kind, name in forged.items()}
    for kind, answer in api.items():
        assert answer.status_code == 422, (kind, answer.text)
        fields = {error["field"]: error["reason"] for error in answer.json()["errors"]}
        assert set(fields) == {"identity.family_name", "identity.given_names"}, kind
        assert "control characters" in fields["identity.family_name"], fields
    assert "U+202E" in api["RLO"].json()["detail"]
    assert [answer.status_code for answer in accepted] == [201] * len(legitimate), \
        [answer.text for answer in accepted]
    for kind, answer in forms.items():
        assert answer.status_code == 422, (kind, answer.status_code)
        error = re.search(r'id="family_name-error">([^<]*)<', answer.text)
        assert error and "Steuer- oder Schreibrichtungszeichen" in error.group(1), kind
    assert "U+202E" in forms["RLO"].text
