"""The course catalogue over HTTP: coordinators manage every course, providers only their own,
and every change is announced through the outbox."""

from __future__ import annotations

import uuid

from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox
from tests.support.services import in_process, token

#: What a person's invitation letter prints of a course (issue 18), optional in the contract.
LETTER_DETAILS = {
    "provider_name": "Volkshochschule Heidekreis", "daily_start": "08:30:00",
    "daily_end": "12:45:00", "what_to_bring": "Lichtbild",
    "venue": {"name": "VHS Soltau", "street": "Poststraße 10", "postal_code": "29614",
              "city": "Soltau"},
    "contact": {"name": "Kursbüro", "phone": "05191 99123", "email": "kurse@vhs.example"}}


def new_id() -> str:
    return f"course-{uuid.uuid4().hex[:8]}"


async def test_coordinator_publishes_updates_and_cancels_with_events(kafka, databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("assignment")) as assignment:
        course_id = new_id()
        created = await assignment.client.post("/courses", json=course_body(course_id),
                                               headers=COORDINATOR)
        assert created.status_code == 201, created.text
        changed = await assignment.client.put(
            f"/courses/{course_id}", json=course_body(course_id, capacity=12, **LETTER_DETAILS),
            headers=COORDINATOR)
        assert changed.json()["capacity"] == 12
        stored = (await assignment.client.get(f"/courses/{course_id}", headers=COORDINATOR)
                  ).json()
        assert {name: stored[name] for name in LETTER_DETAILS} == LETTER_DETAILS
        cancelled = await assignment.client.post(f"/courses/{course_id}/cancel",
                                                 headers=COORDINATOR)
        assert cancelled.json()["status"] == "cancelled"
        listed = (await assignment.client.get("/courses", headers=COORDINATOR)).json()
        assert [course["course_id"] for course in listed] == [course_id]

        events = [event for event in await outbox(assignment)
                  if not event["_type"].endswith("_fact.v1")]
        types = [event["_type"] for event in events if "course" in event["_type"]]
        assert types == ["ankommen.assignment.course_published.v1",
                         "ankommen.assignment.course_updated.v1",
                         "ankommen.assignment.course_cancelled.v1"]
        assert events[1]["course"]["capacity"] == 12
        assert events[1]["course"]["venue"] == LETTER_DETAILS["venue"]
        # Each change of the seats offered in the district is one capacity snapshot for
        # monitoring: 20 offered, then 12, then none (the course was cancelled).
        capacity = await outbox(assignment, "ankommen.assignment.course_capacity_fact.v1")
        assert [(fact["district"], fact["course_type"], fact["seats_offered"],
                 fact["seats_taken"]) for fact in capacity] == [
            ("03358", "general_integration", 20, 0), ("03358", "general_integration", 12, 0),
            ("03358", "general_integration", 0, 0)]
        assert all("pseudonym" not in fact and len(fact["record_key"]) == 32
                   for fact in capacity)
        # Their time says only the month (issue 15), so a sequence per district and course
        # type, persisted by assignment, tells monitoring which snapshot is the latest.
        assert [fact["sequence"] for fact in capacity] == [1, 2, 3]


async def test_provider_token_cannot_read_or_change_another_providers_courses(
        kafka, databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await databases.url("assignment")) as assignment:
        own, foreign = token(Role.PROVIDER, "vhs-heidekreis"), token(Role.PROVIDER, "caritas")
        course_id = new_id()
        assert (await assignment.client.post("/courses", json=course_body(course_id),
                                             headers=own)).status_code == 201
        other_id = new_id()
        assert (await assignment.client.post("/courses", json=course_body(other_id, "caritas"),
                                             headers=foreign)).status_code == 201

        client = assignment.client
        assert (await client.get(f"/courses/{course_id}", headers=foreign)).status_code == 403
        refused = await client.put(f"/courses/{course_id}",
                                   json=course_body(course_id, capacity=10), headers=foreign)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["field"] == "provider_id"
        assert (await client.post(f"/courses/{course_id}/cancel",
                                  headers=foreign)).status_code == 403
        hijack = await client.put(f"/courses/{other_id}",
                                  json=course_body(other_id, "vhs-heidekreis"), headers=foreign)
        assert hijack.status_code == 403
        posing = await client.post("/courses", json=course_body(new_id(), "vhs-heidekreis"),
                                   headers=foreign)
        assert posing.status_code == 403

        mine = (await client.get("/courses", headers=own)).json()
        assert [course["course_id"] for course in mine] == [course_id]
        assert (await client.get(f"/courses/{course_id}", headers=own)).json()["capacity"] == 20
        everything = (await client.get("/courses", headers=COORDINATOR)).json()
        assert {course["course_id"] for course in everything} == {course_id, other_id}
        assert (await client.get("/courses", headers=token(Role.INTAKE_STAFF))).status_code == 403


async def test_invalid_course_names_each_field_and_conflicts_are_409(kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        bad = course_body(new_id(), capacity=0, entry_level="Z1", schedule=[])
        response = await assignment.client.post("/courses", json=bad, headers=COORDINATOR)
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"capacity", "entry_level", "schedule"}
        course_id = new_id()
        await assignment.client.post("/courses", json=course_body(course_id),
                                     headers=COORDINATOR)
        again = await assignment.client.post("/courses", json=course_body(course_id),
                                             headers=COORDINATOR)
        assert again.status_code == 409
        missing = await assignment.client.get("/courses/nope", headers=COORDINATOR)
        assert missing.status_code == 404
        mismatch = await assignment.client.put(f"/courses/{course_id}",
                                               json=course_body("other"), headers=COORDINATOR)
        assert mismatch.status_code == 400


async def test_a_providers_course_waits_for_a_coordinator_and_widening_it_asks_again(
        kafka, sqlite_databases):
    """Draft → returned with a reason → resubmitted by the provider's change → approved by a
    coordinator; then more seats from the provider make it a draft again, fewer do not. Each
    decision is in the course's review log (who, role, when, why), each state is announced,
    and the published course list shows only approved courses."""
    provider = token(Role.PROVIDER, "vhs-a")
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        client = assignment.client
        course_id = new_id()
        body = course_body(course_id, "vhs-a", approval="approved")  # ignored: set by us
        created = await client.post("/courses", json=body, headers=provider)
        assert created.status_code == 201 and created.json()["approval"] == "draft"
        listed = await client.get("/course-list.csv", headers=COORDINATOR)
        assert course_id not in listed.text

        for who in (provider, token(Role.ADMIN), token(Role.PROVIDER, "vhs-b")):
            assert (await client.post(f"/courses/{course_id}/approve",
                                      headers=who)).status_code == 403
        returned = await client.post(f"/courses/{course_id}/return", headers=COORDINATOR,
                                     json={"reason": "Raum fehlt"})
        assert returned.json()["approval"] == "returned"
        resubmitted = await client.put(f"/courses/{course_id}", headers=provider,
                                       json={**body, "title": "Integrationskurs Soltau"})
        assert resubmitted.json()["approval"] == "draft"
        approved = await client.post(f"/courses/{course_id}/approve", headers=COORDINATOR)
        assert approved.json()["approval"] == "approved"
        assert course_id in (await client.get("/course-list.csv", headers=COORDINATOR)).text

        narrower = await client.put(f"/courses/{course_id}", headers=provider,
                                    json={**body, "title": "Integrationskurs Soltau",
                                          "capacity": 10})
        assert narrower.json()["approval"] == "approved"
        wider = await client.put(f"/courses/{course_id}", headers=provider,
                                 json={**body, "title": "Integrationskurs Soltau",
                                       "capacity": 500})
        assert wider.json()["approval"] == "draft"

        reviews = (await client.get(f"/courses/{course_id}/reviews", headers=provider)).json()
        assert [(each["decision"], each["role"], each["note"]) for each in reviews] == [
            ("returned", "coordinator", "Raum fehlt"),
            ("draft", "provider", "changed by its provider: needs approval again"),
            ("approved", "coordinator", None),
            ("draft", "provider", "changed by its provider: needs approval again")]
        assert all(each["actor"] == "test" and each["at"] for each in reviews)
        assert (await client.get(f"/courses/{course_id}/reviews",
                                 headers=token(Role.PROVIDER, "vhs-b"))).status_code == 403
        announced = [event["course"]["approval"] for event in await outbox(assignment)
                     if event["_type"].startswith("ankommen.assignment.course_")
                     and "course" in event]
        assert announced == ["draft", "returned", "draft", "approved", "approved", "draft"]


async def test_no_course_outside_the_countys_districts_whoever_enters_it(kafka,
                                                                        sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment"),
                          county_districts="03358") as assignment:
        course_id = new_id()
        for who in (COORDINATOR, token(Role.PROVIDER, "vhs-a")):
            refused = await assignment.client.post("/courses", headers=who, json=course_body(
                course_id, "vhs-a", region_key="03351001"))
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "region_key"
        created = await assignment.client.post("/courses", headers=COORDINATOR,
                                               json=course_body(course_id, "vhs-a"))
        assert created.json()["approval"] == "approved"
        moved = await assignment.client.put(f"/courses/{course_id}", headers=COORDINATOR,
                                            json=course_body(course_id, "vhs-a",
                                                             region_key="03351001"))
        assert moved.status_code == 422 and "region_key" in moved.text
