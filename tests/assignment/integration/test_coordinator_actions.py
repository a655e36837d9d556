"""A coordinator's actions on the pages (issue 19): course forms with German errors per field,
approve/return/postpone/cancel behind a page that shows their consequences, placing a person
by hand with a reason (audited, in the placement's explanation, announced like any offer), and
the waiting list's filters — each use case and each refusal.

Assignment in process on SQLite without a broker: registrations are handled as the cases
consumer handles them."""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.identity.auth import Role
from tests.assignment.integration.test_event_batches import delivery
from tests.assignment.support import COORDINATOR, course_body, outbox
from tests.support.county_day import county_today
from tests.support.services import RunningService, in_process, token
from tests.support.surveys import survey
from tests.support.tokens import issue_token

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')
BROWSER = {"Accept": "text/html"}
PREFIX = "ankommen.assignment."


@contextlib.asynccontextmanager
async def assignment_pages(databases, **settings: object) -> AsyncIterator[RunningService]:  # noqa: ANN001
    async with in_process("assignment", bootstrap="127.0.0.1:1",
                          database_url=await databases.url("assignment"),
                          **settings) as assignment:
        assignment.sign_in_with(issue_token(Role.COORDINATOR, "koordination"))
        yield assignment


async def register(assignment: RunningService, days_ago: int = 10, **answers: object) -> str:
    policy = assignment.runtime.settings.allocation_policy
    handle = applying_then_allocating(CASE_EVENTS, policy, in_bulk=CASE_EVENTS_IN_BULK)
    pseudonym = secrets.token_urlsafe(24)
    async with assignment.runtime.uow() as uow:
        await handle(uow, [delivery(CaseRegistered(
            pseudonym=pseudonym, registered_on=county_today() - timedelta(days=days_ago),
            survey=Survey(**survey(**{"region_key": "03358021", "german_level": "A1",
                                      **answers}))))])
        await uow.commit()
    return pseudonym


async def csrf(assignment: RunningService, path: str = "/ui/courses") -> str:
    return CSRF_FIELD.search((await assignment.client.get(path)).text).group(1)


async def publish(assignment: RunningService, **fields: object) -> str:
    course_id = f"c-{uuid.uuid4().hex[:8]}"
    created = await assignment.client.post("/courses", json=course_body(course_id, **fields),
                                           headers=COORDINATOR)
    assert created.status_code == 201, created.text
    return course_id


async def placements_of(assignment: RunningService, pseudonym: str) -> list[dict]:
    return [event for event in await outbox(assignment)
            if event.get("pseudonym") == pseudonym and "placement" in event["_type"]]


def future(days: int) -> str:
    return (county_today() + timedelta(days=days)).isoformat()


FORM = {"title": "Integrationskurs Soltau", "provider_id": "", "course_type": "general_integration",
        "entry_level": "A1", "target_level": "B1", "hours": "700", "region_key": "03358021",
        "mode": "in_person", "schedule": ["mornings", "evenings"], "starts_on": future(20),
        "ends_on": future(200), "capacity": "12", "minimum_participants": "4",
        "childcare_places": "2", "status": "open", "venue_name": "VHS Soltau",
        "venue_street": "Poststraße 10", "venue_postal_code": "29614", "venue_city": "Soltau"}


async def test_a_coordinator_enters_and_changes_a_course_with_german_errors_per_field(
        sqlite_databases):
    async with assignment_pages(sqlite_databases) as assignment:
        await publish(assignment, provider_name="VHS Heidekreis", latitude=52.99,
                      longitude=9.84)
        empty = await assignment.client.get("/ui/courses/new")
        assert empty.status_code == 200
        # Pickers, nothing chosen that the coordinator did not choose.
        assert " selected" not in empty.text and " checked" not in empty.text
        assert '<option value="vhs-heidekreis" >VHS Heidekreis</option>' in empty.text
        assert "Soltau" in empty.text and "Allgemeiner Integrationskurs" in empty.text
        token_field = CSRF_FIELD.search(empty.text).group(1)

        refused = await assignment.client.post("/ui/courses/new", headers=BROWSER, data={
            "csrftoken": token_field, **FORM, "title": "", "ends_on": future(10),
            "venue_postal_code": "2961"})
        assert refused.status_code == 422
        assert 'id="title" name="title"' in refused.text
        assert 'aria-describedby="title-error"' in refused.text
        assert '<p class="error" id="title-error">Bitte angeben.</p>' in refused.text
        assert 'id="provider_id-error">Bitte angeben.' in refused.text
        assert "Diese Angabe hat nicht die erwartete Form." in refused.text  # postal code
        # What was typed stays; the chosen time slots stay checked.
        assert 'value="Integrationskurs' not in refused.text
        assert refused.text.count(" checked") == 3  # two slots and the mode

        crossed = await assignment.client.post("/ui/courses/new", headers=BROWSER, data={
            "csrftoken": token_field, **FORM, "provider_id": "vhs-heidekreis",
            "ends_on": future(10)})
        assert crossed.status_code == 422
        assert "Das Kursende liegt vor dem Kursbeginn." in crossed.text

        created = await assignment.client.post("/ui/courses/new", data={
            "csrftoken": token_field, **FORM, "provider_id": "vhs-heidekreis"})
        assert created.status_code == 303, created.text
        listed = (await assignment.client.get("/courses", headers=COORDINATOR)).json()
        course = next(each for each in listed if each["title"] == "Integrationskurs Soltau")
        assert course["provider_name"] == "VHS Heidekreis"
        assert course["schedule"] == ["mornings", "evenings"]
        assert course["venue"]["city"] == "Soltau" and course["approval"] == "approved"

        form = await assignment.client.get(f"/ui/courses/{course['course_id']}/edit")
        assert 'value="Integrationskurs Soltau"' in form.text
        changed = await assignment.client.post(
            f"/ui/courses/{course['course_id']}/edit",
            data={"csrftoken": token_field, **FORM, "provider_id": "vhs-heidekreis",
                  "capacity": "15", "region_key": "03358021"})
        assert changed.status_code == 303, changed.text
        stored = (await assignment.client.get(f"/courses/{course['course_id']}",
                                              headers=COORDINATOR)).json()
        assert stored["capacity"] == 15 and stored["provider_name"] == "VHS Heidekreis"
        # What the form does not show stays: the coordinates of a course entered by the API.
        located = next(each for each in listed if each["latitude"] is not None)
        kept = await assignment.client.post(f"/ui/courses/{located['course_id']}/edit", data={
            "csrftoken": token_field, **FORM, "provider_id": "vhs-heidekreis"})
        assert kept.status_code == 303, kept.text
        again = (await assignment.client.get(f"/courses/{located['course_id']}",
                                             headers=COORDINATOR)).json()
        assert (again["latitude"], again["longitude"], again["title"]) == (
            52.99, 9.84, "Integrationskurs Soltau")


async def test_postponing_a_course_shows_who_loses_a_seat_then_reallocates_them(databases):
    async with assignment_pages(databases) as assignment:
        soon = await publish(assignment, minimum_participants=2, starts_on=future(14),
                             ends_on=future(180))
        first, second = await register(assignment, 30), await register(assignment, 20)
        assert {event["course_id"] for event in await placements_of(assignment, first)} == {
            soon}
        later = await publish(assignment, starts_on=future(40), ends_on=future(200))

        asked = await assignment.client.get(f"/ui/courses/{soon}/postpone")
        assert asked.status_code == 200 and 'id="consequences"' not in asked.text
        too_early = await assignment.client.get(
            f"/ui/courses/{soon}/postpone?starts_on={future(7)}")
        assert too_early.status_code == 422
        assert "Bitte einen späteren Kursbeginn wählen" in too_early.text
        too_late = await assignment.client.post(f"/courses/{soon}/postpone", headers=COORDINATOR,
                                                json={"starts_on": "9999-12-31"})
        assert too_late.status_code == 422 and too_late.json()["errors"][0]["field"] == \
            "starts_on"
        preview = await assignment.client.get(
            f"/ui/courses/{soon}/postpone?starts_on={future(70)}")
        assert preview.status_code == 200
        losing = preview.text[preview.text.index('id="losing"'):]
        assert first in losing and second in losing
        offers = preview.text[preview.text.index('id="offers"'):]
        assert first in offers and second in offers
        assert "Frei werdende Plätze in diesem Kurs: 2" in preview.text
        # The preview changed nothing.
        assert len(await placements_of(assignment, first)) == 1

        done = await assignment.client.post(f"/ui/courses/{soon}/postpone", data={
            "csrftoken": CSRF_FIELD.search(preview.text).group(1), "starts_on": future(70)})
        assert done.status_code == 303
        moved = (await assignment.client.get(f"/courses/{soon}", headers=COORDINATOR)).json()
        assert (moved["starts_on"], moved["postponed_from"]) == (future(70), future(14))
        assert moved["ends_on"] == future(236)
        for person in (first, second):
            events = await placements_of(assignment, person)
            assert [(event["_type"].removeprefix(PREFIX), event["course_id"])
                    for event in events] == [
                ("placement_offered.v1", soon), ("placement_withdrawn.v1", soon),
                ("placement_offered.v1", later)]
            assert events[1]["reason"] == "course_postponed"
        updated = [event for event in await outbox(assignment, PREFIX + "course_updated.v1")
                   if event["course"]["course_id"] == soon]
        assert updated[-1]["course"]["postponed_from"] == future(14)


async def test_approve_return_and_cancel_show_their_consequences_first(sqlite_databases):
    async with assignment_pages(sqlite_databases, allocate_on_events=False) as assignment:
        person = await register(assignment)
        draft = f"c-{uuid.uuid4().hex[:8]}"
        assert (await assignment.client.post("/courses", json=course_body(
            draft, "vhs-anderer-traeger"), headers=token(Role.PROVIDER, "vhs-anderer-traeger"))
            ).status_code == 201
        approve = await assignment.client.get(f"/ui/courses/{draft}/approve")
        assert approve.status_code == 200
        assert person in approve.text[approve.text.index('id="offers"'):]
        assert 'id="losing-none"' in approve.text
        # Nothing happened yet.
        assert (await assignment.client.get(f"/courses/{draft}", headers=COORDINATOR)
                ).json()["approval"] == "draft"

        returned = await assignment.client.get(f"/ui/courses/{draft}/return")
        assert 'id="reason"' in returned.text
        missing = await assignment.client.post(f"/ui/courses/{draft}/return", headers=BROWSER,
                                               data={"csrftoken": await csrf(assignment),
                                                     "reason": "   "})
        assert missing.status_code == 422
        assert missing.headers["content-type"].startswith("text/html")
        assert 'id="reason-error">Bitte angeben.' in missing.text
        sent = await assignment.client.post(f"/ui/courses/{draft}/return", data={
            "csrftoken": await csrf(assignment), "reason": "Bitte Zeiten prüfen"})
        assert sent.status_code == 303
        reviews = (await assignment.client.get(f"/courses/{draft}/reviews",
                                               headers=COORDINATOR)).json()
        assert [(each["decision"], each["note"]) for each in reviews] == [
            ("returned", "Bitte Zeiten prüfen")]

        cancel = await assignment.client.get(f"/ui/courses/{draft}/cancel")
        assert cancel.status_code == 200 and 'id="confirm"' in cancel.text
        cancelled = await assignment.client.post(f"/ui/courses/{draft}/cancel",
                                                 data={"csrftoken": await csrf(assignment)})
        assert cancelled.status_code == 303
        assert (await assignment.client.get(f"/courses/{draft}", headers=COORDINATOR)
                ).json()["status"] == "cancelled"


async def test_a_provider_can_neither_approve_nor_postpone_nor_place(sqlite_databases):
    async with assignment_pages(sqlite_databases) as assignment:
        provider = token(Role.PROVIDER, "vhs-heidekreis")
        course_id = await publish(assignment)
        person = await register(assignment, german_level="B2")
        for path, body in ((f"/courses/{course_id}/approve", None),
                           (f"/courses/{course_id}/postpone", {"starts_on": future(90)}),
                           ("/placements/manual", {"pseudonym": person, "course_id": course_id,
                                                   "reason": "weil"})):
            refused = await assignment.client.post(path, json=body, headers=provider)
            assert refused.status_code == 403, (path, refused.text)
        assignment.sign_in_with(issue_token(Role.PROVIDER, "vhs", provider_id="vhs-heidekreis"))
        page = await assignment.client.get(f"/ui/courses/{course_id}/approve")
        assert page.status_code == 303 and "reason=login.forbidden" in page.headers["location"]


async def test_a_person_placed_by_hand_is_audited_explained_and_announced(databases):
    async with assignment_pages(databases, allocate_on_events=False) as assignment:
        person = await register(assignment, 45)
        # The matcher would not: the person is at A1, the course starts at B1.
        course_id = await publish(assignment, entry_level="B1", target_level="B2",
                                  title="Aufbaukurs Munster")
        listed = await assignment.client.get("/ui/waiting-list")
        row = listed.text[listed.text.index(person):]
        row = row[:row.index("</tr>")]
        assert "Aufbaukurs Munster" in row and "Sprachniveau passt" in row
        assert "von Hand vermitteln" in row
        token_field = CSRF_FIELD.search(listed.text).group(1)

        form = await assignment.client.post("/ui/manual-placement/form", data={
            "csrftoken": token_field, "pseudonym": person})
        assert form.status_code == 200
        assert f'value="{course_id}"' in form.text and "übergeht:" in form.text
        no_reason = await assignment.client.post("/ui/manual-placement", headers=BROWSER, data={
            "csrftoken": token_field, "pseudonym": person, "course_id": course_id,
            "reason": " "})
        assert no_reason.status_code == 422
        assert 'id="reason-error">Bitte angeben.' in no_reason.text
        hidden = await assignment.client.post("/ui/manual-placement", headers=BROWSER, data={
            "csrftoken": token_field, "pseudonym": person, "course_id": course_id,
            "reason": "Kann mehr\u202e als der Test sagt"})
        assert hidden.status_code == 422

        placed = await assignment.client.post("/ui/manual-placement", data={
            "csrftoken": token_field, "pseudonym": person, "course_id": course_id,
            "reason": "Hat B1-Kenntnisse aus der Schule, Einstufungstest steht aus"})
        assert placed.status_code == 303, placed.text
        placement_id = placed.headers["location"].rsplit("/", 1)[1]
        shown = await assignment.client.get(placed.headers["location"])
        assert "Hat B1-Kenntnisse aus der Schule" in shown.text
        assert 'data-rule="entry_level" data-passed="no"' in shown.text
        assert "koordination" in shown.text

        explained = (await assignment.client.get(f"/placements/{placement_id}",
                                                 headers=COORDINATOR)).json()["explanation"]
        assert explained["manual"]["reason"].startswith("Hat B1-Kenntnisse")
        assert explained["manual"]["overridden"] == ["entry_level"]
        assert explained["manual"]["actor"] == "koordination"
        async with assignment.runtime.uow() as uow:
            audit = await uow.manual_placements.of_course(course_id)
        assert [(entry.placement_id, entry.actor, entry.role, entry.overridden)
                for entry in audit] == [(placement_id, "koordination", "coordinator",
                                         ("entry_level",))]
        offered = await placements_of(assignment, person)
        assert [event["_type"] for event in offered] == [PREFIX + "placement_offered.v1"]
        assert offered[0]["placement_id"] == placement_id
        assert (await assignment.client.get("/waiting-list", headers=COORDINATOR)
                ).json()["count"] == 0


async def test_no_reason_places_over_capacity_or_in_a_course_that_is_not_on_offer(
        sqlite_databases):
    async with assignment_pages(sqlite_databases, allocate_on_events=False) as assignment:
        full = await publish(assignment, capacity=1)
        first, second = await register(assignment, 30), await register(assignment, 20)
        api = {"reason": "dringend"}
        taken = await assignment.client.post("/placements/manual", headers=COORDINATOR,
                                             json={**api, "pseudonym": first,
                                                   "course_id": full})
        assert taken.status_code == 201, taken.text
        over = await assignment.client.post("/placements/manual", headers=COORDINATOR,
                                            json={**api, "pseudonym": second, "course_id": full})
        assert over.status_code == 409 and over.json()["errors"][0]["field"] == "course_id"

        draft = f"c-{uuid.uuid4().hex[:8]}"
        await assignment.client.post("/courses", json=course_body(draft, "vhs-a"),
                                     headers=token(Role.PROVIDER, "vhs-a"))
        cancelled = await publish(assignment)
        await assignment.client.post(f"/courses/{cancelled}/cancel", headers=COORDINATOR)
        ended = await publish(assignment, starts_on=future(-200), ends_on=future(-10))
        for course_id in (draft, cancelled, ended):
            refused = await assignment.client.post(
                "/placements/manual", headers=COORDINATOR,
                json={**api, "pseudonym": second, "course_id": course_id})
            assert refused.status_code == 409, (course_id, refused.text)
        missing = await assignment.client.post("/placements/manual", headers=COORDINATOR,
                                               json={"pseudonym": second, "course_id": full})
        assert missing.status_code == 422

        page = await assignment.client.post("/ui/manual-placement", headers=BROWSER, data={
            "csrftoken": await csrf(assignment), "pseudonym": second, "course_id": full,
            "reason": "dringend"})
        assert page.status_code == 409
        assert "Dieser Kurs ist voll: kein Platz frei." in page.text
        async with assignment.runtime.uow() as uow:
            assert len(await uow.manual_placements.of_course(full)) == 1


async def test_the_waiting_list_filters_by_codes_and_refuses_others_as_a_page(
        sqlite_databases):
    async with assignment_pages(sqlite_databases, allocate_on_events=False,
                                county_districts="03358,03351") as assignment:
        old = await register(assignment, 100)
        beginner = await register(assignment, 40, german_level="A0")
        elsewhere = await register(assignment, 5, region_key="03351001")
        await publish(assignment)

        async def shown(query: str) -> set[str]:
            page = await assignment.client.get(f"/ui/waiting-list?{query}")
            assert page.status_code == 200, page.text
            return {person for person in (old, beginner, elsewhere) if person in page.text}

        assert await shown("") == {old, beginner, elsewhere}
        assert await shown("level=A0") == {beginner}
        assert await shown("waited=90") == {old}
        assert await shown("waited=30&level=A1") == {old}
        assert await shown("region=03351") == {elsewhere}
        assert await shown("region=03358021") == {old, beginner}
        assert await shown("course_type=general_integration") == {old, beginner, elsewhere}
        assert await shown("course_type=literacy") == set()
        assert await shown("reason=courses_full") == set()
        page = (await assignment.client.get("/ui/waiting-list?level=A0")).text
        assert '<option value="A0" selected>' in page
        wrong = await assignment.client.get("/ui/waiting-list?level=Z9&waited=45",
                                            headers=BROWSER)
        assert wrong.status_code == 422
        assert wrong.headers["content-type"].startswith("text/html")
