"""Intake's case work pages over HTTP, in process: search (by name and by file number) with a
chosen purpose, each shown person audited; the case page; closing; the export download;
erasure only after its confirmation; the review queue's merge keeping the alias; and the
refusals — no purpose, a forged case id, another role, erasure or merge without their
confirmation, a form without its CSRF token — each answered by a page, never JSON."""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import httpx
from sqlalchemy import func, select

from ankommen.intake.adapters.tables import cases
from ankommen.intake.domain.disclosure import PlacementStatus
from ankommen.shared.identity.auth import Role
from tests.intake.integration.running import running_intake
from tests.intake.integration.test_registration_and_duplicates import outbox_events
from tests.support.services import token
from tests.support.surveys import identity, registration
from tests.support.tokens import issue_token

STAFF = token(Role.INTAKE_STAFF)
ADMIN = token(Role.ADMIN)
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


async def sign_in(client: httpx.AsyncClient, role: Role = Role.INTAKE_STAFF,
                  subject: str = "auslaenderbehoerde") -> None:
    login = await client.get("/login")
    signed = await client.post("/login", data={
        "csrftoken": CSRF_FIELD.search(login.text).group(1),
        "token": issue_token(role, subject)})
    assert signed.status_code == 303


async def csrf(client: httpx.AsyncClient, page: str) -> str:
    response = await client.get(page)
    assert response.status_code == 200, response.text
    return CSRF_FIELD.search(response.text).group(1)


async def register(intake, **person) -> dict:  # noqa: ANN001, ANN003
    response = await intake.client.post("/cases", json=registration(person=identity(**person)),
                                        headers=STAFF)
    assert response.status_code == 201, response.text
    return response.json()


async def audit(intake, case_id: str | None = None) -> list[dict]:  # noqa: ANN001
    params = {"case_id": case_id} if case_id else {}
    return (await intake.client.get("/audit", params=params, headers=ADMIN)).json()


async def case_count(intake) -> int:  # noqa: ANN001
    async with intake.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(cases))


class FilledIn(HTMLParser):
    """What a browser would send of a form as the page shows it: the values of text
    fields, checked boxes and radio buttons, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""
        elif tag == "input" and name and name != "csrftoken":
            if found.get("type") in ("checkbox", "radio"):
                if "checked" in found:
                    value = found.get("value") or "on"
                    if name.endswith("[]"):
                        self.values.setdefault(name, []).append(value)
                    else:
                        self.values[name] = value
            elif found.get("value"):
                self.values[name] = found["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def filled_in(page: str) -> dict[str, Any]:
    parser = FilledIn()
    parser.feed(page)
    return parser.values


def is_page(response: httpx.Response) -> bool:
    return response.headers["content-type"].startswith("text/html")


async def test_search_open_close_export_and_erase_a_case_in_the_pages(kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases) as intake:
        client = intake.client
        case = await register(intake, family_name="Kovalenko", given_names="Tetiana",
                              birth_date="1979-09-14", birth_place="Charkiw",
                              nationalities=["UKR"], file_numbers=[
                                  {"kind": "foreigners_office", "number": "AB-123/456"}])
        case_id = case["case_id"]
        await sign_in(client)
        token_value = await csrf(client, "/ui/cases")

        # No purpose: refused in German, the typed name kept, nothing shown or audited.
        refused = await client.post("/ui/cases", data={
            "csrftoken": token_value, "family_name": "Kovalenko", "given_names": "Tetiana",
            "birth_date": "1979-09-14"})
        assert refused.status_code == 422 and is_page(refused)
        assert "Zweck der Einsicht</a>: Bitte angeben." in refused.text
        assert 'value="Kovalenko"' in refused.text and "Charkiw" not in refused.text
        assert not [entry for entry in await audit(intake) if entry["action"] == "search"]

        # By name (another spelling): the person recognisable, the view audited per case.
        found = await client.post("/ui/cases", data={
            "csrftoken": token_value, "purpose": "counselling", "family_name": "Коваленко",
            "given_names": "Tetjana", "birth_date": "1979-09-14"})
        assert found.status_code == 200, found.text
        assert "Kovalenko" in found.text and "Charkiw" in found.text
        assert "14.09.1979" in found.text and "offen" in found.text
        assert f"/ui/cases/{case_id}?purpose=counselling" in found.text
        searches = [entry for entry in await audit(intake, case_id)
                    if entry["action"] == "search"]
        assert [(entry["purpose"], entry["actor"]) for entry in searches] == [
            ("counselling", "auslaenderbehoerde")]

        # By file number, written with other separators and case.
        by_number = await client.post("/ui/cases", data={
            "csrftoken": token_value, "purpose": "correction", "file_number": "ab 123 456"})
        assert "Kovalenko" in by_number.text
        unknown_number = await client.post("/ui/cases", data={
            "csrftoken": token_value, "purpose": "correction", "file_number": "ZZ-999"})
        assert "Keine passende Person gefunden." in unknown_number.text

        # A placement announced to intake (as the consumers record it), confirmed.
        async with intake.runtime.uow() as uow:
            await uow.placements.save(
                referral_code="REF-CASE01", pseudonym=case["pseudonym"], provider_id="vhs-a",
                course_id="course-a1", status=PlacementStatus.CONFIRMED)
            await uow.commit()

        # The case page asks for the purpose first, then shows the person (audited).
        asked = await client.get(f"/ui/cases/{case_id}")
        assert asked.status_code == 200 and "Zweck der Einsicht angeben" in asked.text
        assert "Kovalenko" not in asked.text
        page = await client.get(f"/ui/cases/{case_id}", params={"purpose": "counselling"})
        assert page.status_code == 200
        assert "Kovalenko" in page.text and "Ausländerbehörde: AB-123/456" in page.text
        assert "Erfasst" in page.text and "auslaenderbehoerde" in page.text
        assert "Soltau (03358021)" in page.text and "Arabisch" in page.text
        assert "bestätigt" in page.text
        assert f"/ui/cases/{case_id}/letter?referral_code=REF-CASE01" in page.text
        assert [entry["purpose"] for entry in await audit(intake, case_id)
                if entry["action"] == "read_identity"] == ["counselling"]
        english = await client.get(f"/ui/cases/{case_id}",
                                   params={"purpose": "counselling", "lang": "en"})
        assert "Earlier spellings" in english.text
        await client.get("/ui/cases", params={"lang": "de"})

        # Forged, unknown and malformed case ids: a German page, never JSON.
        for forged in (str(uuid.uuid4()), "not-a-case", "1%20OR%201=1"):
            missing = await client.get(f"/ui/cases/{forged}", params={"purpose": "counselling"})
            assert missing.status_code == 404 and is_page(missing)
            assert "Fall nicht gefunden" in missing.text

        # Correct the survey: the form starts from the case's answers; a refusal keeps
        # the values; only the changed field is announced.
        token_value = await csrf(client, f"/ui/cases/{case_id}/survey")
        prefilled = (await client.get(f"/ui/cases/{case_id}/survey")).text
        form = {"csrftoken": token_value, **filled_in(prefilled)}
        assert form["region_key"] == "Soltau" and form["first_languages"] == "Arabisch"
        assert form["german_level"] == case["survey"]["german_level"]
        assert form["goals[]"] == case["survey"]["goals"]
        form["german_level"] = "B1"
        refused = await client.post(f"/ui/cases/{case_id}/survey",
                                    data={**form, "schooling_years": "viele"})
        assert refused.status_code == 422
        assert "Bitte eine ganze Zahl eingeben." in refused.text
        assert 'value="viele"' in refused.text
        saved = await client.post(f"/ui/cases/{case_id}/survey", data=form)
        assert saved.status_code == 303, saved.text
        assert "done=saved" in saved.headers["location"]
        assert await outbox_events(intake, "ankommen.intake.survey_updated.v1") == [
            {"pseudonym": case["pseudonym"], "changes": {"german_level": "B1"}}]

        # Close: the reason as words, no date preselected; missing answers refused.
        token_value = await csrf(client, f"/ui/cases/{case_id}/close")
        form = (await client.get(f"/ui/cases/{case_id}/close")).text
        assert "Weggezogen" in form and 'name="closed_on" type="date" value=""' in form
        assert "selected" not in form
        incomplete = await client.post(f"/ui/cases/{case_id}/close",
                                       data={"csrftoken": token_value})
        assert incomplete.status_code == 422
        assert "Grund des Abschlusses</a>: Bitte angeben." in incomplete.text
        assert "Abgeschlossen am</a>: Bitte angeben." in incomplete.text
        closed = await client.post(f"/ui/cases/{case_id}/close", data={
            "csrftoken": token_value, "reason": "moved_away", "today": "1"})
        assert closed.status_code == 303
        api_case = await client.get(f"/cases/{case_id}", params={"purpose": "correction"},
                                    headers=STAFF)
        assert api_case.json()["closure_reason"] == "moved_away"

        # The export downloads as a JSON attachment, the API's body.
        download = await client.get(f"/ui/cases/{case_id}/export")
        assert download.headers["content-disposition"].startswith("attachment;")
        exported = json.loads(download.content)
        assert exported["case"]["identity"]["family_name"] == "Kovalenko"
        assert set(exported) == {"case", "duplicate_suspicions", "audit", "disclosures"}
        printable = await client.get(f"/ui/cases/{case_id}/export/print")
        assert "Auskunft über gespeicherte Daten" in printable.text
        assert "Kovalenko" in printable.text

        # Erasure without its confirmation erases nothing.
        token_value = await csrf(client, f"/ui/cases/{case_id}/erase")
        unconfirmed = await client.post(f"/ui/cases/{case_id}/erase",
                                        data={"csrftoken": token_value})
        assert unconfirmed.status_code == 422 and "es wurde nichts gelöscht" in unconfirmed.text
        assert await case_count(intake) == 1
        no_csrf = await client.post(f"/ui/cases/{case_id}/erase", data={"confirm": "erase"})
        assert no_csrf.status_code == 403 and await case_count(intake) == 1
        erasing = await client.post(f"/ui/cases/{case_id}/erase",
                                    data={"csrftoken": token_value, "confirm": "erase"})
        assert erasing.status_code == 303 and erasing.headers["location"] == "/ui/erased"
        erased = await client.get("/ui/erased")
        assert "Die Person wurde gelöscht." in erased.text
        assert "Kovalenko" not in erased.text and case_id not in erased.text
        assert await case_count(intake) == 0
        gone = await client.get(f"/ui/cases/{case_id}", params={"purpose": "counselling"})
        assert gone.status_code == 404 and "die Person wurde gelöscht" in gone.text

        # Another role gets no page (sent to sign in), and no data.
        await sign_in(client, Role.COORDINATOR, "koordination")
        for path in ("/ui/cases", "/ui/duplicates", f"/ui/cases/{uuid.uuid4()}"):
            other = await client.get(path)
            assert other.status_code == 303 and "reason=login.forbidden" in \
                other.headers["location"]


async def test_the_review_queue_merges_keeping_the_alias_or_dismisses(kafka, sqlite_databases):
    async with running_intake(kafka, sqlite_databases, search_rate_limit="3/minute") as intake:
        client = intake.client
        first = await register(intake, family_name="Al-Hassan", given_names="Mohammed",
                               birth_date="1990-03-01", birth_place="Aleppo")
        second = await register(intake, family_name="Rahimi", given_names="Zahra",
                                birth_date="1985-07-20")
        third = await register(intake, family_name="Ahmadi", given_names="Farid",
                               birth_date="1992-11-02")
        merged_case = second["case_id"]
        suspected = await client.post("/duplicates", headers=STAFF, json={
            "case_id": first["case_id"], "other_case_id": merged_case})
        dismissed = await client.post("/duplicates", headers=STAFF, json={
            "case_id": first["case_id"], "other_case_id": third["case_id"]})
        assert suspected.status_code == dismissed.status_code == 201
        suspicion = suspected.json()["suspicion_id"]
        await sign_in(client)

        queue = await client.get("/ui/duplicates")
        assert queue.status_code == 200
        assert "Al-Hassan" in queue.text and "Rahimi" in queue.text and "Ahmadi" in queue.text
        assert "(abweichend)" in queue.text
        token_value = CSRF_FIELD.search(queue.text).group(1)
        reads = [entry for entry in await audit(intake, merged_case)
                 if entry["action"] == "read_identity"]
        assert [entry["purpose"] for entry in reads] == ["duplicate_review"]

        confirmation = await client.get(f"/ui/duplicates/{suspicion}/merge",
                                        params={"keep": first["case_id"]})
        assert "kann nicht rückgängig gemacht werden" in confirmation.text
        unconfirmed = await client.post(f"/ui/duplicates/{suspicion}/merge", data={
            "csrftoken": token_value, "keep": first["case_id"]})
        assert unconfirmed.status_code == 422 and await case_count(intake) == 3
        forged = await client.post(f"/ui/duplicates/{suspicion}/merge", data={
            "csrftoken": token_value, "keep": str(uuid.uuid4()), "confirm": "merge"})
        assert forged.status_code == 409 and is_page(forged)
        assert await case_count(intake) == 3
        merged = await client.post(f"/ui/duplicates/{suspicion}/merge", data={
            "csrftoken": token_value, "keep": first["case_id"], "confirm": "merge"})
        assert merged.status_code == 303 and await case_count(intake) == 2

        kept = await client.get(f"/ui/cases/{first['case_id']}",
                                params={"purpose": "duplicate_review"})
        aliases = kept.text.split('id="aliases"')[1].split("</table>")[0]
        assert "Rahimi" in aliases and "Zahra" in aliases
        gone = await client.get(f"/ui/cases/{merged_case}", params={"purpose": "counselling"})
        assert gone.status_code == 404 and "zusammengeführt" in gone.text
        assert f"/ui/cases/{first['case_id']}" in gone.text

        other = dismissed.json()["suspicion_id"]
        done = await client.post(f"/ui/duplicates/{other}/dismiss",
                                 data={"csrftoken": token_value})
        assert done.status_code == 303
        listed = await client.get("/ui/duplicates")
        assert "Keine offenen Dublettenverdachte." in listed.text
        again = await client.post(f"/ui/duplicates/{other}/dismiss",
                                  data={"csrftoken": token_value})
        assert again.status_code == 409 and "nicht mehr offen" in again.text

        # Searching is rate-limited like the API's search: enumerating names is refused.
        answers = [await client.post("/ui/cases", data={
            "csrftoken": token_value, "purpose": "counselling", "file_number": f"X-{number}"})
            for number in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        assert is_page(answers[-1]) and answers[-1].headers["retry-after"]

