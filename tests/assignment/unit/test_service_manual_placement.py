"""Placing a waiting person by hand on the fakes: the rules a reason overrides and those it
cannot, what the placement stores, announces and audits, and the picker's choices."""

from __future__ import annotations

import pytest

from ankommen.assignment.domain.placement import PlacementStatus
from ankommen.assignment.service.catalogue import publish_course
from ankommen.assignment.service.manual_placement import (
    ManualPlacementRequest,
    PlacementRefused,
    Refusal,
    choices,
    place_by_hand,
)
from ankommen.shared.errors import Forbidden, NotFound
from ankommen.shared.events.contracts.assignment import PlacementOffered
from tests.assignment.fakes import stored_course
from tests.assignment.unit.fake_county import (
    COORDINATOR,
    MANUAL,
    committed,
    county,
    course,
    kinds,
    provider,
    published,
    registered,
)


def request(who: str, course_id: str) -> ManualPlacementRequest:
    return ManualPlacementRequest(pseudonym=who, course_id=course_id,
                                  reason="Kennt die Gruppe schon")


async def test_a_coordinator_places_by_hand_overriding_advice_and_it_is_audited():
    database = county()
    person = await registered(database, policy=MANUAL, days_ago=4)
    await published(database, course("b1", entry_level="B1", target_level="B2"), policy=MANUAL)
    runs, since = database.tables.allocation_runs, len(database.published)
    record = await committed(database, lambda uow: place_by_hand(
        uow, COORDINATOR, request(person, "b1"), policy=MANUAL))
    assert record.status is PlacementStatus.OFFERED and record.expires_on is not None
    assert database.tables.placements[record.placement_id] == record
    assert person not in database.tables.waiting
    assert record.explanation["manual"]["overridden"] == ["entry_level"]
    [entry] = database.tables.manual
    assert (entry.placement_id, entry.actor, entry.reason, entry.overridden) == (
        record.placement_id, "koordination", "Kennt die Gruppe schon", ("entry_level",))
    assert database.tables.allocation_runs == runs + 1, "serialised with allocations"
    assert kinds(database, since) == ["placement_offered.v1"]
    assert database.events(PlacementOffered)[-1].placement_id == record.placement_id


@pytest.mark.parametrize(("fields", "refusal"), [
    ({"capacity": 1}, Refusal.FULL),
    ({"approval": "draft"}, Refusal.NOT_APPROVED),
    ({"status": "cancelled"}, Refusal.NOT_BOOKABLE),
    ({"region_key": "03359021"}, Refusal.NOT_OPEN),
])
async def test_what_no_reason_overrides_is_refused_and_nothing_is_kept(fields, refusal):
    database = county()
    holder = await registered(database, policy=MANUAL)
    person = await registered(database, policy=MANUAL)
    # Stored as it is (a cancelled course or one outside the county cannot be published).
    database.tables.courses["c-1"] = stored_course(course("c-1", **fields))
    if refusal is Refusal.FULL:
        await committed(database, lambda uow: place_by_hand(
            uow, COORDINATOR, request(holder, "c-1"), policy=MANUAL))
    state = (dict(database.tables.placements), list(database.tables.manual),
             database.tables.allocation_runs, len(database.published))
    with pytest.raises(PlacementRefused) as refused:
        await committed(database, lambda uow: place_by_hand(
            uow, COORDINATOR, request(person, "c-1"), policy=MANUAL))
    assert refused.value.refusal is refusal and refused.value.field == "course_id"
    assert (dict(database.tables.placements), list(database.tables.manual),
            database.tables.allocation_runs, len(database.published)) == state


async def test_only_a_coordinator_places_and_only_someone_waiting():
    database = county()
    person = await registered(database, policy=MANUAL)
    await published(database, course("c-1"), policy=MANUAL)
    with pytest.raises(Forbidden):
        await committed(database, lambda uow: place_by_hand(
            uow, provider(), request(person, "c-1"), policy=MANUAL))
    with pytest.raises(NotFound) as unknown:
        await committed(database, lambda uow: place_by_hand(
            uow, COORDINATOR, request("nobody-waits-here", "c-1"), policy=MANUAL))
    assert unknown.value.field == "pseudonym"
    with pytest.raises(NotFound) as no_course:
        await committed(database, lambda uow: place_by_hand(
            uow, COORDINATOR, request(person, "nope"), policy=MANUAL))
    assert no_course.value.field == "course_id"


async def test_the_picker_offers_open_courses_with_a_free_seat_and_their_failed_rules():
    database = county()
    person = await registered(database, policy=MANUAL)
    await published(database, course("fits"), course("b1", entry_level="B1"), policy=MANUAL)
    await committed(database, lambda uow: publish_course(uow, provider(), course("draft"),
                                                         policy=MANUAL))
    applicant, offer = await committed(database, lambda uow: choices(uow, person, MANUAL))
    assert applicant.pseudonym == person
    assert {seats.course.course_id: [outcome.rule for outcome in failed]
            for seats, failed in offer} == {"fits": [], "b1": ["entry_level"]}
