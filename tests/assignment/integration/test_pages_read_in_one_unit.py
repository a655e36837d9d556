"""Every page, export and list of assignment reads on one session per request (issue 22 item
5): the course form once read the course and the catalogue's providers on two, and a
confirmation page the course and its titles on one and the decision's preview on another."""

from __future__ import annotations

import uuid

from ankommen.shared.identity.auth import Role
from tests.assignment.integration.test_coordinator_actions import (
    CSRF_FIELD,
    assignment_pages,
    future,
    publish,
    register,
)
from tests.assignment.support import COORDINATOR, course_body
from tests.support.services import token
from tests.support.sessions import counted_sessions


async def test_every_page_export_and_list_opens_one_session(sqlite_databases):
    async with assignment_pages(sqlite_databases, allocate_on_events=False) as assignment:
        waiting = await register(assignment, 40)
        placed = await register(assignment, 30)
        course_id = await publish(assignment, title="Integrationskurs Soltau")
        draft = f"c-{uuid.uuid4().hex[:8]}"
        assert (await assignment.client.post("/courses", json=course_body(
            draft, "vhs-anderer-traeger"), headers=token(Role.PROVIDER, "vhs-anderer-traeger"))
            ).status_code == 201
        offered = await assignment.client.post("/placements/manual", headers=COORDINATOR,
                                               json={"pseudonym": placed,
                                                     "course_id": course_id,
                                                     "reason": "Für den Test"})
        assert offered.status_code == 201, offered.text
        placement = offered.json()
        csrf = CSRF_FIELD.search((await assignment.client.get("/ui/waiting-list")).text)

        opened = counted_sessions(assignment.runtime.uow)
        pages = ["/ui/courses", "/ui/courses/new", f"/ui/courses/{course_id}/edit",
                 f"/ui/courses/{draft}/approve", f"/ui/courses/{draft}/return",
                 f"/ui/courses/{course_id}/cancel", f"/ui/courses/{course_id}/postpone",
                 f"/ui/courses/{course_id}/postpone?starts_on={future(70)}",
                 "/ui/allocation", "/ui/waiting-list", "/ui/unmet-demand", "/course-list",
                 f"/ui/placements/{placement['placement_id']}", "/ui/referrals",
                 "/ui/round", "/ui/round.pdf"]
        api = ["/waiting-list", "/courses", f"/courses/{course_id}",
               f"/courses/{draft}/reviews", f"/placements/{placement['placement_id']}",
               f"/referrals/{placement['referral_code']}", "/course-list.csv",
               "/unmet-demand"]
        shown: dict[str, str] = {}
        for path, headers in [(path, {}) for path in pages] + [
                (path, COORDINATOR) for path in api]:
            before = opened[0]
            response = await assignment.client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text[:300])
            assert opened[0] - before == 1, path
            shown[path] = response.text if path != "/ui/round.pdf" else ""
        # The manual placement's form is a POST that reads (the person and the offer).
        before = opened[0]
        form = await assignment.client.post("/ui/manual-placement/form", data={
            "csrftoken": csrf.group(1) if csrf else "", "pseudonym": waiting})
        assert form.status_code == 200, form.text[:300]
        assert opened[0] - before == 1

        # The pages show what they read on that one session.
        assert waiting in shown["/ui/waiting-list"]
        assert "Integrationskurs Soltau" in shown[f"/ui/courses/{course_id}/edit"]
        assert 'value="vhs-anderer-traeger"' in shown["/ui/courses/new"]
        cancel = shown[f"/ui/courses/{course_id}/cancel"]
        assert placed in cancel[cancel.index('id="losing"'):]
        assert waiting in shown[f"/ui/courses/{draft}/approve"]
        assert placement["referral_code"] in shown["/ui/referrals"]
