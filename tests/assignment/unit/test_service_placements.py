"""Placement use cases on the fakes: looking a placement up (by id, by referral code),
confirming and declining it, and the provider's referrals page answering several at once —
what each stores and announces, what it refuses (committing nothing), and that answering
twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service import placements
from ankommen.assignment.service.referral_answers import Answer, answer_referrals, offers_of
from ankommen.shared.errors import Conflict, Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import PlacementConfirmed, PlacementDeclined
from tests.assignment.unit.fake_county import (
    COORDINATOR,
    POLICY,
    committed,
    county,
    course,
    kinds,
    placement_of,
    provider,
    published,
    registered,
)


async def offered_county():  # noqa: ANN201
    database = county()
    await published(database, course("c-1", capacity=1), course("c-2", capacity=1))
    person = await registered(database, days_ago=30)
    return database, person, placement_of(database, person)


async def test_a_provider_finds_its_placements_by_code_another_providers_read_as_unknown():
    database, _, record = await offered_county()
    found = await committed(database, lambda uow: placements.placement_by_referral_code(
        uow, provider(record.provider_id), record.referral_code.lower().replace("-", "")))
    assert found == record
    with pytest.raises(NotFound):
        await committed(database, lambda uow: placements.placement_by_referral_code(
            uow, provider("other"), record.referral_code))
    with pytest.raises(placements.InvalidReferralCode):
        await committed(database, lambda uow: placements.placement_by_referral_code(
            uow, provider(), "ABCD-EFGH-0"))
    with pytest.raises(Forbidden):
        await committed(database, lambda uow: placements.placement_for(
            uow, provider("other"), record.placement_id))
    with pytest.raises(NotFound):
        await committed(database, lambda uow: placements.placement_for(uow, COORDINATOR, "x"))


async def test_confirming_stores_announces_and_notes_the_provider_once():
    database, person, record = await offered_county()
    since = len(database.published)
    confirmed = await committed(database, lambda uow: placements.confirm_placement(
        uow, COORDINATOR, record.placement_id))
    assert confirmed.status is PlacementStatus.CONFIRMED
    assert database.tables.cases[person].previous_provider_id == record.provider_id
    assert kinds(database, since) == ["placement_confirmed.v1"]
    assert database.events(PlacementConfirmed)[0].referral_code == record.referral_code
    again = await committed(database, lambda uow: placements.confirm_placement(
        uow, COORDINATOR, record.placement_id))
    assert again.status is PlacementStatus.CONFIRMED
    assert kinds(database, since) == ["placement_confirmed.v1"], "announced once"


async def test_an_offer_past_its_last_day_cannot_be_confirmed():
    database, _, record = await offered_county()
    assert record.expires_on is not None
    database.clock.set(database.clock.now() + timedelta(
        days=(record.expires_on - database.clock.today()).days + 1))
    since, commits = len(database.published), database.commits
    with pytest.raises(Conflict) as refused:
        await committed(database, lambda uow: placements.confirm_placement(
            uow, COORDINATOR, record.placement_id))
    assert refused.value.field == "status" and "expired" in str(refused.value)
    assert placement_of(database, record.pseudonym).status is PlacementStatus.OFFERED
    assert len(database.published) == since and database.commits == commits


async def test_declining_frees_the_seat_for_the_next_person_and_the_decliner_waits_again():
    database = county()
    await published(database, course("c-1", capacity=1))
    person = await registered(database, days_ago=30)
    record = placement_of(database, person)
    other = await registered(database, days_ago=5)
    assert other in database.tables.waiting
    since = len(database.published)
    declined = await committed(database, lambda uow: placements.decline_placement(
        uow, COORDINATOR, record.placement_id, policy=POLICY))
    assert declined.status is PlacementStatus.DECLINED
    assert database.events(PlacementDeclined)[0].placement_id == record.placement_id
    # The freed seat goes to the one who waited next; the decliner waits again with the
    # original place (never offered that course again).
    assert kinds(database, since)[:2] == ["placement_declined.v1", "placement_offered.v1"]
    assert placement_of(database, other).course_id == record.course_id
    assert database.tables.waiting[person].waiting_since == record.waiting_since
    # Declining again changes nothing; confirming a declined placement is refused.
    events = len(database.published)
    await committed(database, lambda uow: placements.decline_placement(
        uow, COORDINATOR, record.placement_id, policy=POLICY))
    assert len(database.published) == events
    with pytest.raises(Conflict):
        await committed(database, lambda uow: placements.confirm_placement(
            uow, COORDINATOR, record.placement_id))


async def test_the_referrals_page_answers_each_row_on_its_own():
    database = county()
    await published(database, course("c-1"), course("c-2", provider_id="other",
                                                    schedule=["evenings"]))
    mine = [placement_of(database, await registered(database, days_ago=days))
            for days in (3, 2)]
    assert {record.course_id for record in mine} == {"c-1"}, "both in the provider's course"
    foreign = await registered(database, days_ago=1, availability=["evenings"])
    foreign_code = placement_of(database, foreign).referral_code
    results = await answer_referrals(
        database.uow, provider(), [mine[0].referral_code, foreign_code, mine[0].referral_code,
                                   "nonsense"], Answer.CONFIRM, policy=POLICY)
    assert [(result.done, result.refusal) for result in results] == [
        (True, None), (False, "referrals.refused.not_yours"),
        (False, "referrals.refused.invalid")]
    assert placement_of(database, mine[0].pseudonym).status is PlacementStatus.CONFIRMED
    open_offers, answered = await committed(database, lambda uow: offers_of(uow, provider()))
    assert [row.referral_code for row in open_offers] == [mine[1].referral_code]
    assert [row.referral_code for row in answered] == [mine[0].referral_code]
    # Declining the confirmed one is refused for that row, with its status.
    [result] = await answer_referrals(database.uow, provider(), [mine[0].referral_code],
                                      Answer.CONFIRM, policy=POLICY)
    assert result.done, "confirming again is no refusal"
