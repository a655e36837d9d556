"""Every cell of docs/authorization.md against the four services running for real, and every
route of every service in that table (a new endpoint without rows fails here)."""

from __future__ import annotations

import contextlib
import importlib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Route

from ankommen.shared.identity.auth import Role
from ankommen.shared.web.hardening import CSRF_COOKIE
from ankommen.shared.web.pages import session_cookie
from tests.assignment.support import course_body, outbox
from tests.support.county_day import county_today
from tests.support.figures import record
from tests.support.polling import eventually
from tests.support.services import RunningService, in_process, settings_for, token
from tests.support.surveys import registration
from tests.support.tokens import ISSUER, forged_token

pytestmark = pytest.mark.reliability

TABLE = Path(__file__).parents[2] / "docs" / "authorization.md"
SERVICES = ("intake", "assignment", "progress", "monitoring")
ROLE_COLUMNS = [role.value for role in Role]
CREDENTIAL_COLUMNS = [*ROLE_COLUMNS, "no token", "expired token", "bad signature",
                      "other provider"]


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    path: str
    expected: dict[str, str]


def matrix() -> list[Row]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] in SERVICES:
            assert len(cells) == 3 + len(CREDENTIAL_COLUMNS), line
            rows.append(Row(cells[0], cells[1], cells[2],
                            dict(zip(CREDENTIAL_COLUMNS, cells[3:], strict=True))))
    return rows


def routes(app) -> set[tuple[str, str]]:  # noqa: ANN001
    """(method, path) of every route of an app: API, pages, docs (static mounts aside)."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute | Route):
            found |= {(method, context.path) for method in route.methods - {"HEAD"}}
    return found


def app_of(service: str):  # noqa: ANN201 - the service's FastAPI app, for its routes
    return importlib.import_module(f"ankommen.{service}.app").create_app(
        settings_for(service, database_url="sqlite+aiosqlite://"))


def credentials() -> dict[str, str | None]:
    def signed(role: Role, provider: str | None = None,
               valid_for: timedelta = timedelta(hours=1)) -> str:
        return ISSUER.issue(role, "matrix", provider_id=provider, valid_for=valid_for)

    values: dict[str, str | None] = {
        role.value: signed(role, "vhs-a" if role is Role.PROVIDER else None) for role in Role}
    values["no token"] = None
    values["expired token"] = signed(Role.ADMIN, valid_for=timedelta(hours=-1))
    values["bad signature"] = forged_token(Role.PROVIDER, provider_id="vhs-a")
    values["other provider"] = signed(Role.PROVIDER, "vhs-b")
    return values


def is_page(row: Row, apps: dict) -> bool:  # noqa: ANN001
    """Pages (and the sign-in form) are outside the OpenAPI schema; API routes are in it."""
    for context in iter_route_contexts(apps[row.service].routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path == row.path \
                and row.method in route.methods:
            return not route.include_in_schema
    return False


def verdict(response: httpx.Response) -> str:
    """The cell an answer fills."""
    if response.status_code >= 500:
        return "5xx"
    if response.status_code in (302, 303, 307) and \
            response.headers.get("location", "").startswith("/login?"):
        return "login"
    return {400: "400", 401: "401", 403: "403", 422: "422"}.get(response.status_code, "ok")


def matches(expected: str, response: httpx.Response) -> bool:
    if response.request.url.path == "/readyz" and response.status_code == 503:
        return expected == "ok"  # public; "not ready yet" is a readiness answer, not a fault
    got = verdict(response)
    if expected == "denied":
        return response.status_code in (403, 404)
    if expected == "ok":
        return got in ("ok", "400", "422")
    return got == expected


async def test_every_cell_of_the_authorization_matrix(kafka, sqlite_databases):  # noqa: ANN001
    rows = matrix()
    async with contextlib.AsyncExitStack() as stack:
        running: dict[str, RunningService] = {}
        for service in SERVICES:
            running[service] = await stack.enter_async_context(in_process(
                service, bootstrap=kafka.bootstrap_servers,
                database_url=await sqlite_databases.url(service),
                login_rate_limit="1000/minute"))
        apps = {name: app_of(name) for name in SERVICES}

        missing = {name: sorted(routes(apps[name]) - {(row.method, row.path) for row in rows
                                                      if row.service == name})
                   for name in SERVICES}
        stale = [(row.service, row.method, row.path) for row in rows
                 if (row.method, row.path) not in routes(apps[row.service])]
        assert not any(missing.values()), f"routes missing from {TABLE.name}: {missing}"
        assert not stale, f"rows in {TABLE.name} for routes that do not exist: {stale}"

        ids = await seed(running)
        csrf = await csrf_tokens(running)
        tokens = credentials()
        mismatches = []
        # Erasing the case (intake) and cancelling or declining (assignment) change what the
        # others know; progress and monitoring go first so their scoping is seen on live data.
        order = {"progress": 0, "monitoring": 1, "assignment": 2, "intake": 3}
        for row in sorted(rows, key=lambda row: order[row.service]):
            client = running[row.service].client
            for column, expected in row.expected.items():
                response = await request(client, row, tokens[column], ids, csrf[row.service],
                                         page=is_page(row, apps))
                if not matches(expected, response):
                    mismatches.append(f"{row.service} {row.method} {row.path} [{column}]: "
                                      f"expected {expected}, got {response.status_code} "
                                      f"{response.text[:120]!r}")
    cells = len(rows) * len(CREDENTIAL_COLUMNS)
    record("authorisation matrix", "endpoints", len(rows))
    record("authorisation matrix", "cells checked", cells)
    record("authorisation matrix", "cells differing", len(mismatches))
    assert not mismatches, "\n".join(mismatches)


async def seed(running: dict[str, RunningService]) -> dict[str, str]:
    """A case, a course of provider vhs-a and a placement in it, known to every service."""
    intake, assignment, progress = running["intake"], running["assignment"], running["progress"]
    case = await intake.client.post("/cases", json=registration(),
                                    headers=token(Role.INTAKE_STAFF))
    assert case.status_code == 201, case.text

    async def waiting() -> int:
        answer = await assignment.client.get("/waiting-list", headers=token(Role.COORDINATOR))
        return answer.json()["count"]

    await eventually(waiting, until=lambda count: count == 1, timeout=90,
                     what="assignment knows the registered case")
    course_id = f"course-{uuid.uuid4().hex[:8]}"
    published = await assignment.client.post("/courses", json=course_body(
        course_id, "vhs-a", minimum_participants=0), headers=token(Role.COORDINATOR))
    assert published.status_code == 201, published.text
    [offered] = await eventually(lambda: outbox(assignment, "ankommen.assignment."
                                                            "placement_offered.v1"),
                                 until=bool, timeout=30, what="a placement offered")

    async def participants() -> list:
        answer = await progress.client.get("/participants", headers=token(Role.PROVIDER,
                                                                          "vhs-a"))
        return answer.json()

    await eventually(participants, until=bool, timeout=90,
                     what="progress knows the placement")
    return {"case_id": case.json()["case_id"], "course_id": course_id,
            "placement_id": offered["placement_id"], "referral_code": offered["referral_code"],
            "suspicion_id": str(uuid.uuid4()), "measure": "arrivals"}


async def csrf_tokens(running: dict[str, RunningService]) -> dict[str, str]:
    tokens = {}
    for name, service in running.items():
        page = await service.client.get("/login" if name != "monitoring" else "/")
        found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        tokens[name] = found.group(1) if found else ""
        service.client.cookies.clear()
    return tokens


def body_for(row: Row, ids: dict[str, str]) -> dict | None:
    """A request worth making: valid where scoping only shows on a real request."""
    if row.method in ("GET", "DELETE"):
        return None
    if (row.method, row.path) == ("POST", "/reports"):
        return {"kind": "enrolment", "report_id": f"enrol-{uuid.uuid4().hex[:6]}",
                "referral_code": ids["referral_code"],
                "started_on": (county_today() - timedelta(days=1)).isoformat()}
    if row.path == "/courses":
        return course_body(f"course-{uuid.uuid4().hex[:8]}", "vhs-a")
    if row.path == "/courses/{course_id}":
        return course_body(ids["course_id"], "vhs-a", minimum_participants=0)
    return {}


def form_for(row: Row, ids: dict[str, str]) -> dict[str, str]:
    if row.path == "/participants/{referral_code}":
        return {"kind": "enrolment", "report_id": f"enrol-{uuid.uuid4().hex[:6]}",
                "date": (county_today() - timedelta(days=1)).strftime("%d.%m.%Y")}
    return {}


async def request(client: httpx.AsyncClient, row: Row, credential: str | None,
                  ids: dict[str, str], csrf: str, *, page: bool) -> httpx.Response:
    path = re.sub(r"\{(\w+)\}", lambda match: ids[match.group(1)], row.path)
    headers: dict[str, str] = {}
    cookies = {CSRF_COOKIE: csrf} if csrf else {}
    if row.path == "/login" and row.method == "POST":
        data = {"csrftoken": csrf, "token": credential or ""}
        response = await client.post(path, data=data, cookies=cookies)
    elif page or row.path == "/logout":
        if credential:
            cookies[session_cookie(row.service)] = credential
        data = {"csrftoken": csrf, **form_for(row, ids)} if row.method == "POST" else None
        response = await client.request(row.method, path, data=data, cookies=cookies)
    else:
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        body = body_for(row, ids)
        response = await client.request(row.method, path, headers=headers,
                                        json=body if body is not None else None)
    client.cookies.clear()
    return response
