"""A provider answers its offers on the referrals page: one by one or several at once, each
row on its own (an offer that expired meanwhile or another provider's code is refused for
that row, in German, and the others go through), only its own offers listed, and a provider
reaches no coordinator page.

The service in process; placements are written as allocation writes them (nothing here waits
for the broker), the answers go through the same use cases as the API."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.referral import new_referral_code
from ankommen.assignment.service.referral_answers import Answer, answer_referrals
from ankommen.shared.identity.auth import Principal, Role
from tests.assignment.support import COORDINATOR, course_body
from tests.support.county_day import county_today
from tests.support.services import RunningService, in_process
from tests.support.tokens import issue_token

OWN, OTHER = "vhs-heidekreis", "caritas-x"
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


async def offer(assignment: RunningService, course_id: str, provider_id: str, *,
                expires_in: int = 14) -> str:
    """An offer in ``course_id`` whose last day is ``expires_in`` days from today."""
    code = new_referral_code()
    today = county_today()
    async with assignment.runtime.uow() as uow:
        await uow.placements.add(PlacementRecord(
            placement_id=uuid.uuid4().hex, pseudonym=uuid.uuid4().hex, course_id=course_id,
            provider_id=provider_id, referral_code=code, status=PlacementStatus.OFFERED,
            offered_on=today - timedelta(days=3), waiting_since=today - timedelta(days=30),
            childcare=False, explanation={}, expires_on=today + timedelta(days=expires_in)))
        await uow.commit()
    return code


async def course(assignment: RunningService, provider_id: str) -> str:
    course_id = f"c-{uuid.uuid4().hex[:6]}"
    response = await assignment.client.post("/courses", json=course_body(
        course_id, provider_id, title=f"Integrationskurs {provider_id}"), headers=COORDINATOR)
    assert response.status_code == 201, response.text
    return course_id


def signed_in(assignment: RunningService, role: Role, provider_id: str | None = None) -> None:
    assignment.client.cookies.clear()
    assignment.sign_in_with(issue_token(role, "test", provider_id=provider_id))


def row_of(page: str, code: str) -> str:
    return re.search(rf'<tr data-code="{code}"[^>]*>.*?</tr>', page, re.S).group(0)


async def test_bulk_answer_goes_through_row_by_row(kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        own_course, other_course = await course(assignment, OWN), await course(assignment, OTHER)
        first, second = [await offer(assignment, own_course, OWN) for _ in range(2)]
        expired = await offer(assignment, own_course, OWN, expires_in=-1)
        foreign = await offer(assignment, other_course, OTHER)

        signed_in(assignment, Role.PROVIDER, OWN)
        page = await assignment.client.get("/ui/referrals")
        assert page.status_code == 200
        assert all(code in page.text for code in (first, second, expired))
        assert foreign not in page.text and f"Integrationskurs {OTHER}" not in page.text
        assert 'href="/ui/referrals"' in page.text and 'href="/ui/allocation"' not in page.text
        csrf = CSRF_FIELD.search(page.text).group(1)

        # The attack: another provider's code slipped into the form is refused like an
        # unknown one; the rest of the batch goes through.
        answered = await assignment.client.post("/ui/referrals", data={
            "csrftoken": csrf, "answer": "confirm", "codes": [first, expired, foreign, second]})
        assert answered.status_code == 200
        results = answered.text.split('id="results"')[1].split("</section>")[0]
        assert 'data-done="yes"' in row_of(results, first)
        assert 'data-done="yes"' in row_of(results, second)
        assert "abgelaufen" in row_of(results, expired)
        assert "gibt es in Ihren Kursen nicht" in row_of(results, foreign)
        assert 'data-status="confirmed"' in row_of(answered.text.split('id="answered"')[1], first)

        async with assignment.runtime.uow() as uow:
            repository = uow.placements
            assert (await repository.by_referral_code(foreign)).status is PlacementStatus.OFFERED
            assert (await repository.by_referral_code(expired)).status is PlacementStatus.OFFERED

        # One row's own button: declined, the seat goes back to allocation.
        declined = await assignment.client.post("/ui/referrals", data={
            "csrftoken": csrf, "row": f"decline:{first}"})
        assert declined.status_code == 200
        assert "bereits zugesagt" not in declined.text and 'data-done="yes"' in declined.text

        nothing = await assignment.client.post("/ui/referrals", data={
            "csrftoken": csrf, "answer": "decline"})
        assert nothing.status_code == 422 and "mindestens eine Vermittlung" in nothing.text

        # Many ticked rows at once (more than 20 once met a bare 422): every code answered on
        # the page — here codes no course of this provider has, and one far too long.
        many = [f"X{number:03d}-ABCD" for number in range(24)] + ["Z" * 60]
        bulk = await assignment.client.post("/ui/referrals", data={
            "csrftoken": csrf, "answer": "confirm", "codes": many})
        assert bulk.status_code == 200, bulk.text[:300]
        results = bulk.text.split('id="results"')[1].split("</section>")[0]
        assert all(code in results for code in many)
        assert 'data-done="yes"' not in results
        too_many = await assignment.client.post("/ui/referrals", data={
            "csrftoken": csrf, "answer": "confirm",
            "codes": [f"X{number:03d}-ABCD" for number in range(201)]})
        assert too_many.status_code == 422
        assert "höchstens 200 Vermittlungen" in too_many.text

        # A provider reaches no coordinator page; a coordinator sees all offers, answers none.
        coordinator_page = await assignment.client.get("/ui/allocation")
        assert coordinator_page.status_code == 303
        signed_in(assignment, Role.COORDINATOR)
        everyone = await assignment.client.get("/ui/referrals")
        assert foreign in everyone.text and "Ausgewählte zusagen" not in everyone.text
        assert 'href="/ui/allocation"' in everyone.text


async def test_the_use_case_refuses_another_providers_code(kafka, sqlite_databases):
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as assignment:
        foreign = await offer(assignment, await course(assignment, OTHER), OTHER)
        mistyped = "A" + foreign[1:] if foreign[0] != "A" else "B" + foreign[1:]
        results = await answer_referrals(
            assignment.runtime.uow, Principal("p", Role.PROVIDER, OWN), [foreign, mistyped],
            Answer.DECLINE, policy=assignment.runtime.settings.allocation_policy)
        assert [(r.done, r.refusal) for r in results] == [
            (False, "referrals.refused.not_yours"), (False, "referrals.refused.invalid")]
        async with assignment.runtime.uow() as uow:
            stored = await uow.placements.by_referral_code(foreign)
        assert stored.status is PlacementStatus.OFFERED

