"""The coordinators' read-only views on the fakes — the course list, unmet demand, the
waiting list with each person's closest course, the coordination round's agenda: what they
show, and that reading commits and announces nothing."""

from __future__ import annotations

from ankommen.assignment.service.coordination_round import Month, coordination_round
from ankommen.assignment.service.queries import course_list, demand
from ankommen.assignment.service.waiting_view import WaitingFilters, waiting_rows
from ankommen.shared.events.contracts.vocabulary import GermanLevel
from tests.assignment.unit.fake_county import (
    MANUAL,
    POLICY,
    TODAY,
    county,
    course,
    published,
    registered,
)


async def read_only(database, view):  # noqa: ANN001, ANN201
    """``view`` in a unit that is not committed: a view needs no commit."""
    state = (len(database.published), database.commits)
    async with database.uow() as uow:
        result = await view(uow)
    assert (len(database.published), database.commits) == state
    return result


async def test_the_course_list_shows_the_countys_open_offer_with_seats_and_waiting():
    database = county()
    await published(database, course("c-1", capacity=3), course("b1", entry_level="B1"),
                    policy=MANUAL)
    await registered(database, policy=MANUAL)
    entries = await read_only(database, lambda uow: course_list(
        uow, districts=POLICY.districts, today=TODAY))
    assert [(entry.course.course_id, entry.free_seats, entry.waiting) for entry in entries] == [
        ("b1", 20, 0), ("c-1", 3, 1)]
    b1_only = await read_only(database, lambda uow: course_list(
        uow, districts=POLICY.districts, today=TODAY, level="B1"))
    assert [entry.course.course_id for entry in b1_only] == ["b1"]


async def test_unmet_demand_groups_the_people_no_course_serves():
    database = county()
    await published(database, course("b1", entry_level="B1"), policy=MANUAL)
    for _ in range(3):
        await registered(database, policy=MANUAL)
    result = await read_only(database, lambda uow: demand(
        uow, 1, today=TODAY, priority=POLICY.priority, districts=POLICY.districts))
    assert sum(group.count for group in result.unmet.groups) == 3
    assert result.below_minimum == []


async def test_the_waiting_list_filters_and_names_the_closest_course():
    database = county()
    await published(database, course("b1", entry_level="B1"), policy=MANUAL)
    person = await registered(database, days_ago=40, policy=MANUAL)
    await registered(database, days_ago=1, policy=MANUAL, german_level="A2")
    rows = await read_only(database, lambda uow: waiting_rows(
        uow, WaitingFilters(level=GermanLevel.A1), today=TODAY, districts=POLICY.districts))
    assert [(row.person.pseudonym, row.waited_days) for row in rows] == [(person, 40)]
    assert rows[0].next_course is not None and rows[0].next_course.course_id == "b1"
    assert rows[0].missing == ["entry_level"]


async def test_the_rounds_agenda_lists_free_seats_and_who_waits():
    database = county()
    await published(database, course("c-1", capacity=3))
    await registered(database, days_ago=5)
    agenda = await read_only(database, lambda uow: coordination_round(
        uow, Month.of(TODAY), today=TODAY, districts=POLICY.districts,
        priority=POLICY.priority, disclosure_minimum=1, postponement_weeks=4))
    assert [(seats.course.course_id, seats.taken, seats.free)
            for seats in agenda.free_seats] == [("c-1", 1, 2)]
    assert agenda.waiting == []
