"""The course list agrees with the catalogue and the placements; unmet demand hides small
groups; a dry run previews without placing anyone."""

from __future__ import annotations

import csv
import io
import uuid

from ankommen.shared.events.contracts.assignment import weeks_begun
from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox, register, waiting_count
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import in_process, token

OFFERED = "ankommen.assignment.placement_offered.v1"


async def test_course_list_csv_agrees_with_catalogue_and_placements(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment"),
                          county_districts="03358,03351") as assignment:
        for days in (40, 30, 20):
            await register(bootstrap, days)
        await register(bootstrap, 10, region_key="03351001", can_attend_online=False)
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 4,
                         what="all cases waiting")
        here, there = f"c-{uuid.uuid4().hex[:6]}", f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(
            here, capacity=2, minimum_participants=1), headers=COORDINATOR)
        await assignment.client.post("/courses", json=course_body(
            there, region_key="03351001", entry_level="A2", target_level="B1",
            schedule=["evenings"]), headers=COORDINATOR)

        response = await assignment.client.get("/course-list.csv", headers=COORDINATOR)
        assert response.headers["content-type"].startswith("text/csv")
        rows = {row["course_id"]: row for row in csv.DictReader(io.StringIO(response.text))}
        catalogue = {c["course_id"]: c for c in (await assignment.client.get(
            "/courses", headers=COORDINATOR)).json()}
        offers = await outbox(assignment, OFFERED)
        assert set(rows) == set(catalogue) == {here, there}
        for course_id, row in rows.items():
            placed = sum(offer["course_id"] == course_id for offer in offers)
            assert int(row["free_seats"]) == catalogue[course_id]["capacity"] - placed
            assert row["title"] == catalogue[course_id]["title"]
        assert rows[here]["free_seats"] == "0" and rows[here]["waiting"] == "1"
        assert rows[there]["waiting"] == "0"
        # Read by people too: after the codes, the same values as words (German by default).
        assert (rows[here]["course_type"], rows[here]["course_type_name"]) == (
            "general_integration", "Allgemeiner Integrationskurs")
        assert (rows[here]["region_name"], rows[here]["schedule_name"],
                rows[here]["mode_name"], rows[here]["status_name"]) == (
            "Soltau", "vormittags", "vor Ort", "offen")
        english = await assignment.client.get("/course-list.csv?lang=en", headers=COORDINATOR)
        assert {row["course_type_name"] for row in csv.DictReader(io.StringIO(english.text))
                } == {"General integration course"}

        # Monitoring's facts, from the same transactions: one placement fact per offer with
        # the weeks begun since registration, one unmet-demand fact per person who waited
        # without a seat this month however many allocation runs there were, and the seat
        # snapshots.
        placed = await outbox(assignment, "ankommen.assignment.placement_made_fact.v1")
        assert len(placed) == len(offers) == 2
        assert all(fact["waiting_weeks"] in {weeks_begun(d) for d in (40, 30, 20, 10)}
                   and not fact["next_course"] for fact in placed)
        unmet = await outbox(assignment, "ankommen.assignment.demand_unmet_fact.v1")
        # All four waited without a seat before the courses existed: once each this month.
        assert len(unmet) == 4
        assert {(fact["course_type_wanted"], fact["reason"]) for fact in unmet} == {
            ("general_integration", "no_fitting_course")}
        seats = await outbox(assignment, "ankommen.assignment.course_capacity_fact.v1")
        latest = {(fact["district"], fact["course_type"]): (fact["seats_offered"],
                                                            fact["seats_taken"])
                  for fact in seats}
        assert latest == {("03358", "general_integration"): (2, 2),
                          ("03351", "general_integration"): (20, 0)}
        facts = placed + unmet + seats
        assert all("pseudonym" not in fact and fact["month"] == county_today().strftime("%Y-%m")
                   for fact in facts)

        filtered = await assignment.client.get("/course-list.csv?district=03351&level=A2",
                                               headers=COORDINATOR)
        assert [row["course_id"] for row in csv.DictReader(io.StringIO(filtered.text))] == [
            there]
        # "alle" in the page's filter form sends the parameters empty: no filter, not a 422.
        every = await assignment.client.get("/course-list.csv?district=&level=",
                                            headers=COORDINATOR)
        assert every.status_code == 200
        assert {there} < {row["course_id"] for row in csv.DictReader(io.StringIO(every.text))}
        invalid = await assignment.client.get("/course-list.csv?district=33",
                                              headers=COORDINATOR)
        assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "district"
        forbidden = await assignment.client.get("/course-list.csv",
                                                headers=token(Role.PROVIDER, "vhs-x"))
        assert forbidden.status_code == 403


async def test_dry_run_previews_and_unmet_demand_hides_small_groups(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        for days in range(5):
            await register(bootstrap, days + 1, german_level="B2")
        await register(bootstrap, 3, german_level="A0", region_key="03351")
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == 6,
                         what="all cases waiting")
        demand = (await assignment.client.get("/unmet-demand", headers=COORDINATOR)).json()
        assert demand["hidden"] is True
        assert [(g["district"], g["level"], g["count"]) for g in demand["groups"]] == [
            ("03358", "B2", 5)]

        preview = (await assignment.client.post("/allocations", json={"dry_run": True},
                                                headers=COORDINATOR)).json()
        assert preview["placements"] == []
        assert {w["reason"] for w in preview["waiting"]} == {"no_fitting_course"}
        assert await outbox(assignment, OFFERED) == []


async def test_course_below_its_minimum_waits_until_enough_people_fit_it(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        course_id = f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(
            course_id, capacity=5, minimum_participants=3), headers=COORDINATOR)
        for days in (20, 10):
            await register(bootstrap, days)

        async def reasons() -> list:
            people = (await assignment.client.get("/waiting-list", headers=COORDINATOR)).json()
            return [person["reason"] for person in people["people"]]

        await eventually(reasons, until=lambda r: r == ["course_below_minimum"] * 2,
                         what="both people waiting for the course below its minimum")
        assert await outbox(assignment, OFFERED) == []
        waitlisted = await outbox(assignment, "ankommen.assignment.waitlisted.v1")
        assert {event["reason"] for event in waitlisted} == {"course_below_minimum"}
        demand = (await assignment.client.get("/unmet-demand", headers=COORDINATOR)).json()
        assert [(c["course_id"], c["held"], c["waiting"]) for c in demand["below_minimum"]] == [
            (course_id, 0, 2)]
        preview = (await assignment.client.post("/allocations", json={"dry_run": True},
                                                headers=COORDINATOR)).json()
        assert preview["below_minimum"] == [course_id]

        await register(bootstrap, 5)
        offers = await eventually(lambda: outbox(assignment, OFFERED),
                                  until=lambda o: len(o) == 3, what="three offers")
        assert {offer["course_id"] for offer in offers} == {course_id}
        assert await waiting_count(assignment) == 0
        demand = (await assignment.client.get("/unmet-demand", headers=COORDINATOR)).json()
        assert demand["below_minimum"] == []
