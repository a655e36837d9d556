"""Production signs staff in through the county's identity provider only (issue 20, item 4):
a production service does not start without one, and a service signing in there takes no
pasted token — neither by the token form nor as a cookie someone set by hand."""

from __future__ import annotations

import pytest

from ankommen.assignment.config import AssignmentSettings
from ankommen.shared.identity.auth import Role
from ankommen.shared.settings import SettingsError, load_settings
from ankommen.shared.web.pages import session_cookie
from tests.support.identity_provider import oidc_settings, page_client
from tests.support.services import in_process
from tests.support.tokens import PUBLIC_KEY_PEM, issue_token

#: A provider that is never asked here: the pages fetch its metadata only at a sign-in.
ISSUER = "http://127.0.0.1:9/realms/county"


def test_a_production_service_without_an_identity_provider_does_not_start(monkeypatch):
    for name in [name for name in __import__("os").environ if name.startswith("ANKOMMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ANKOMMEN_PROFILE", "production")
    monkeypatch.setenv("ANKOMMEN_TOKEN_PUBLIC_KEY", PUBLIC_KEY_PEM)
    with pytest.raises(SettingsError) as refused:
        load_settings(AssignmentSettings, _env_file=None)
    for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "ROLE_MAPPING"):
        assert f"ANKOMMEN_ASSIGNMENT_OIDC_{name}: required in the production profile" in str(
            refused.value)


async def test_a_service_signing_in_at_the_identity_provider_takes_no_pasted_token(
        sqlite_databases):
    settings = oidc_settings(ISSUER, page_client("assignment", "http://assignment"))
    pasted = issue_token(Role.COORDINATOR, "someone")
    async with in_process("assignment", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("assignment"),
                          **settings) as assignment:
        client = assignment.client
        login = await client.get("/login")
        assert "textarea" not in login.text  # no token form to paste into
        posted = await client.post("/login", data={"token": pasted, "next": "/ui/courses"})
        assert posted.status_code >= 400
        assert session_cookie("assignment") not in posted.cookies
        # A token put into the session cookie by hand is no session.
        client.cookies.set(session_cookie("assignment"), pasted)
        page = await client.get("/ui/courses")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=")
        assert "sign_in.expired" in page.headers["location"]
