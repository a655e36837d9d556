"""Each service has its own session cookie (issue 20 follow-up): browsers keep cookies per
host name, not per port, so with one name for all, signing in at assignment on 127.0.0.1
(``make run``: one host name, a port each) overwrote intake's session cookie, and the clerk
was signed out of intake. One browser (one cookie jar) signs in at intake and at assignment,
both on 127.0.0.1, through the identity provider: both sessions stay valid."""

from __future__ import annotations

import httpx

from ankommen.shared.web.pages import session_cookie
from ankommen.tools.embedded import listening_socket
from tests.support.identity_provider import (
    page_client,
    running_identity_provider,
    sign_in_by_form,
)
from tests.support.services import served_over_http

NO_BROKER = "127.0.0.1:1"


async def test_signing_in_at_two_services_on_one_host_keeps_both_sessions(
        tmp_path, sqlite_databases):
    # The ports first: the provider must know the redirect URIs before the services start.
    listeners = {service: listening_socket() for service in ("intake", "assignment")}
    urls = {service: f"http://127.0.0.1:{listener.getsockname()[1]}"
            for service, listener in listeners.items()}
    clients = {service: page_client(service, url) for service, url in urls.items()}
    with running_identity_provider(tmp_path / "idp", list(clients.values())) as provider:
        async with served_over_http("intake", bootstrap=NO_BROKER,
                                    listener=listeners["intake"],
                                    database_url=await sqlite_databases.url("intake"),
                                    **provider.settings(clients["intake"])), \
                served_over_http("assignment", bootstrap=NO_BROKER,
                                 listener=listeners["assignment"],
                                 database_url=await sqlite_databases.url("assignment"),
                                 **provider.settings(clients["assignment"])), \
                httpx.AsyncClient(follow_redirects=True, timeout=20) as browser:
            intake = await sign_in_by_form(browser, f"{urls['intake']}/", "intake")
            assert intake.status_code == 200 and str(intake.url).startswith(
                urls["intake"]), intake.text[:2000]
            # Another person at the same browser signs in at assignment: the provider
            # forgets its own sign-in (its cookies), ours stay as the browser keeps them.
            for cookie in [cookie for cookie in browser.cookies.jar
                           if not cookie.name.startswith("ankommen_")]:
                browser.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
            courses = await sign_in_by_form(browser, f"{urls['assignment']}/ui/courses",
                                            "koordination")
            assert courses.status_code == 200 and str(courses.url) == \
                f"{urls['assignment']}/ui/courses", courses.text[:2000]

            names = {cookie.name for cookie in browser.cookies.jar}
            assert {session_cookie("intake"), session_cookie("assignment")} <= names
            # Both still signed in: intake's page opens without a sign-in, and so does
            # assignment's.
            again = await browser.get(f"{urls['intake']}/", follow_redirects=False)
            assert again.status_code == 200, again.headers.get("location")
            courses = await browser.get(f"{urls['assignment']}/ui/courses",
                                        follow_redirects=False)
            assert courses.status_code == 200, courses.headers.get("location")
