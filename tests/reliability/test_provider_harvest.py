"""The provider-harvest attack, replayed against intake and assignment over the real broker.

A provider, with its own valid token, publishes a 500-seat course to have waiting people placed
there, confirms them and asks intake for their names. Refused at every step the county did not
take: a course in another county's district is not accepted (422 on ``region_key``); a course
in the county is a draft that allocation does not use, so nobody is placed and no name can be
disclosed; only once a coordinator approved it are people placed and, confirmed, named to its
provider — and once the course has ended, nobody is named any more.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from sqlalchemy import select

from ankommen.intake.adapters.tables import courses as intake_courses
from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, outbox, waiting_count
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.surveys import registration

HARVESTER = "vhs-harvest"
PROVIDER = token(Role.PROVIDER, HARVESTER)
STAFF = token(Role.INTAKE_STAFF)
OFFERED = "ankommen.assignment.placement_offered.v1"
PEOPLE = 3


async def intake_knows(intake, course_id: str) -> tuple | None:  # noqa: ANN001
    """(approved, ends_on) of the course as intake learnt it from the courses topic."""
    async with intake.runtime.sessions() as session:
        row = (await session.execute(select(intake_courses).where(
            intake_courses.c.course_id == course_id))).first()
    return (row.approved, row.ends_on) if row else None


async def names(intake, codes: list[str]) -> dict[str, dict]:  # noqa: ANN001
    response = await intake.client.post("/disclosures/contacts", headers=PROVIDER,
                                        json={"referral_codes": codes})
    assert response.status_code == 200, response.text
    return {each["referral_code"]: each for each in response.json()["contacts"]}


async def test_a_providers_own_course_harvests_no_names_until_a_coordinator_approved_it(
        kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    today = county_today()
    async with contextlib.AsyncExitStack() as stack:
        intake, assignment = [await stack.enter_async_context(in_process(
            name, bootstrap=bootstrap, database_url=await sqlite_databases.url(name)))
            for name in ("intake", "assignment")]
        for _ in range(PEOPLE):
            registered = await intake.client.post("/cases", headers=STAFF, json=registration(
                consents=["share_contact_with_provider", "contact_by_email"]))
            assert registered.status_code == 201, registered.text
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == PEOPLE,
                         timeout=60, what="everyone waiting in assignment")

        course_id = f"course-{uuid.uuid4().hex[:8]}"
        harvest = course_body(course_id, HARVESTER, capacity=500, minimum_participants=0,
                              starts_on=(today - timedelta(days=10)).isoformat(),
                              ends_on=(today + timedelta(days=100)).isoformat())
        # Another county's district (Munich, 09162): not even a draft.
        elsewhere = await assignment.client.post(
            "/courses", headers=PROVIDER, json={**harvest, "region_key": "09162000"})
        assert elsewhere.status_code == 422, elsewhere.text
        assert [error["field"] for error in elsewhere.json()["errors"]] == ["region_key"]

        # In the county: a draft. Allocation ran in the same transaction and placed nobody.
        draft = await assignment.client.post("/courses", headers=PROVIDER, json=harvest)
        assert draft.status_code == 201, draft.text
        assert draft.json()["approval"] == "draft"
        assert await outbox(assignment, OFFERED) == []
        assert await waiting_count(assignment) == PEOPLE
        ran = await assignment.client.post("/allocations", headers=COORDINATOR,
                                           json={"dry_run": False})
        assert ran.json()["placements"] == []
        # The provider cannot approve its own course.
        for who in (PROVIDER, token(Role.ADMIN)):
            refused = await assignment.client.post(f"/courses/{course_id}/approve", headers=who)
            assert refused.status_code == 403, refused.text
        await eventually(lambda: intake_knows(intake, course_id),
                         until=lambda known: known is not None and known[0] is False,
                         timeout=60, what="intake knows the draft")

        # A coordinator approves: the waiting people are placed, the provider confirms them
        # and sees the names of those who consented.
        approved = await assignment.client.post(f"/courses/{course_id}/approve",
                                                headers=COORDINATOR)
        assert approved.status_code == 200 and approved.json()["approval"] == "approved"
        offers = await outbox(assignment, OFFERED)
        assert len(offers) == PEOPLE and {o["course_id"] for o in offers} == {course_id}
        codes = [offer["referral_code"] for offer in offers]
        for code in codes:
            confirmed = await assignment.client.post(f"/referrals/{code}/confirm",
                                                     headers=PROVIDER)
            assert confirmed.status_code == 200, confirmed.text
        disclosed = await eventually(lambda: names(intake, codes),
                                     until=lambda found: len(found) == PEOPLE, timeout=60,
                                     what="the confirmed participants named to the provider")
        assert all(each["family_name"] and each["email"] for each in disclosed.values())
        reviews = (await assignment.client.get(f"/courses/{course_id}/reviews",
                                               headers=PROVIDER)).json()
        assert [(each["decision"], each["role"]) for each in reviews] == [
            ("approved", "coordinator")]

        # The course ended yesterday: nobody is named any more.
        ended = (today - timedelta(days=1))
        changed = await assignment.client.put(f"/courses/{course_id}", headers=COORDINATOR,
                                              json={**harvest, "ends_on": ended.isoformat()})
        assert changed.status_code == 200, changed.text
        await eventually(lambda: intake_knows(intake, course_id),
                         until=lambda known: known == (True, ended), timeout=60,
                         what="intake learnt that the course ended")
        assert await names(intake, codes) == {}
