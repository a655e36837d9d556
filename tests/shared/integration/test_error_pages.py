"""No page answers raw JSON: refusals on page routes are pages in the reader's language, while
the API's routes keep their problem details (issue 18: "an empty token answers raw JSON").

Intake in process, without a broker: nothing here crosses one."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

from ankommen.shared.identity.auth import Role
from tests.support.services import in_process, token

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
LANGUAGE_LINK = re.compile(r'<a href="([^"]+)" hreflang=')
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_an_empty_token_shows_the_sign_in_page_with_a_german_reason(sqlite_databases):
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        form = await intake.client.get("/login")
        csrf = CSRF_FIELD.search(form.text).group(1)
        for attempt in ({"csrftoken": csrf}, {"csrftoken": csrf, "token": "   "}):
            refused = await intake.client.post("/login", data=attempt, headers=BROWSER)
            assert refused.status_code == 400
            assert refused.headers["content-type"].startswith("text/html")
            assert "Bitte den Zugangsschlüssel eingeben." in refused.text


async def test_unknown_pages_and_wrong_methods_are_pages_and_the_api_stays_json(
        sqlite_databases):
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        missing = await intake.client.get("/no-such-page", headers=BROWSER)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "existiert nicht" in missing.text

        english = await intake.client.get("/no-such-page?lang=en", headers=BROWSER)
        assert "does not exist" in english.text

        wrong_method = await intake.client.get("/logout?lang=de", headers=BROWSER)
        assert wrong_method.status_code == 405
        assert "<h1>Diese Seite kann so nicht aufgerufen werden</h1>" in wrong_method.text

        api = await intake.client.get("/cases/not-a-case?purpose=counselling",
                                      headers=token(Role.INTAKE_STAFF))
        assert api.status_code == 422
        assert api.headers["content-type"] == "application/problem+json"
        assert (await intake.client.get("/no-such-endpoint")).headers[
            "content-type"] == "application/problem+json"


async def test_a_refused_form_field_on_a_page_route_reads_german(sqlite_databases):
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        form = await intake.client.get("/login")
        csrf = CSRF_FIELD.search(form.text).group(1)
        too_long = await intake.client.post("/login", headers=BROWSER,
                                            data={"csrftoken": csrf, "token": "x" * 5000})
        assert too_long.status_code == 422
        assert too_long.headers["content-type"].startswith("text/html")
        assert "Höchstens 4096 Zeichen." in too_long.text


async def test_signing_in_returns_to_the_page_with_its_query_and_the_language_link_keeps_it(
        sqlite_databases):
    """Found with the letter: its link carries the referral code in the query; signing in
    and switching the language both went back to the bare path."""
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        asked = "/ui/cases/00000000-0000-4000-8000-000000000000/letter?referral_code=ABCD-2345"
        to_login = await intake.client.get(asked, headers=BROWSER)
        assert to_login.status_code == 303
        sign_in = await intake.client.get(to_login.headers["location"])
        assert f'name="next" value="{html.escape(asked)}"' in sign_in.text
        link = html.unescape(LANGUAGE_LINK.search(sign_in.text).group(1))
        path, _, query = link.partition("?")
        assert path == "/login" and parse_qs(query) == {"next": [asked], "lang": ["en"]}


async def test_the_sign_in_page_says_only_its_own_reasons(sqlite_databases):
    """The attack: a link to the sign-in page whose ``reason`` is the attacker's sentence
    ("Ihr Konto ist gesperrt, rufen Sie …") — shown as the page's own warning."""
    async with in_process("intake", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("intake")) as intake:
        forged = await intake.client.get("/login", params={
            "reason": "Ihr Konto ist gesperrt. Rufen Sie 0900 123456 an."})
        assert forged.status_code == 200
        assert "Ihr Konto ist gesperrt" not in forged.text and 'class="error"' not in forged.text
        own = await intake.client.get("/login", params={"reason": "login.forbidden"})
        assert "Ihre Rolle darf diese Seite nicht sehen." in own.text


async def test_the_public_dashboard_answers_a_stray_browser_with_a_page(sqlite_databases):
    """Monitoring's pages are public and have no sign-in; a mistyped address is still a page
    in the reader's language, and the statistics API stays JSON."""
    async with in_process("monitoring", bootstrap="127.0.0.1:1",
                          database_url=await sqlite_databases.url("monitoring")) as monitoring:
        stray = await monitoring.client.get("/dashbord", headers=BROWSER)
        assert stray.status_code == 404
        assert stray.headers["content-type"].startswith("text/html")
        assert "existiert nicht" in stray.text
        api = await monitoring.client.get("/statistics/no-such-table")
        assert api.headers["content-type"] == "application/problem+json"
