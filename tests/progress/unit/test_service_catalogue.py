"""What other services' events change in progress (service/catalogue.py), through the fakes:
courses and placements from assignment, cases, level updates, erasures and merges from intake,
case events parked until their case arrives. Event handlers never commit: the consumer commits
their work with the inbox row."""

from __future__ import annotations

from datetime import date

import pytest

from ankommen.progress.domain.catalogue import PlacementStatus
from ankommen.progress.service import catalogue
from ankommen.progress.service.catalogue import CASE_EVENTS, NOT_REGISTERED
from ankommen.shared.events.contracts import assignment
from ankommen.shared.events.contracts.intake import (
    CaseErased,
    CaseRegistered,
    CasesMerged,
    Survey,
    SurveyUpdated,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent, registry
from tests.progress.fakes import FakeUnits
from tests.progress.integration.catalogue import course
from tests.support.event_examples import owners_source
from tests.support.surveys import survey

FIRST, SECOND = "first-pseudonym-0001", "second-pseudonym-002"


def decoded(data: EventData) -> DecodedEvent:
    return registry.decode(registry.envelope(data, source=owners_source(data)).to_bytes())


def registered(pseudonym: str, level: str = "A1") -> CaseRegistered:
    return CaseRegistered(pseudonym=pseudonym, survey=Survey(**survey(german_level=level)),
                          registered_on=date(2026, 11, 2))


def placement(event: type[assignment.PlacementOffered] | type[assignment.PlacementWithdrawn],
              pseudonym: str = FIRST, code: str = "REF-0001", **extra: object) -> EventData:
    return event(placement_id="p-1", pseudonym=pseudonym, referral_code=code,
                 course_id="c-1", provider_id="vhs-a", **extra)


HANDLERS = {**CASE_EVENTS,
            assignment.CoursePublished: catalogue.record_course,
            assignment.CourseUpdated: catalogue.record_course,
            assignment.CourseCancelled: catalogue.cancel_course,
            **{event: catalogue.record_placement for event in catalogue.PLACEMENT_STATUS}}


async def handle(units: FakeUnits, data: EventData) -> None:
    """``data`` handled as the consumer does: the handler, then the consumer's commit."""
    before = units.database.commits
    async with units() as uow:
        await HANDLERS[type(data)](uow, decoded(data))
        assert units.database.commits == before, "an event handler never commits"
        await uow.commit()


@pytest.fixture
def units() -> FakeUnits:
    return FakeUnits()


async def test_a_registered_case_is_known_with_its_level(units):
    await handle(units, registered(FIRST, "A2"))
    assert units.database.tables.cases[FIRST].german_level == "A2"


async def test_a_placement_offered_before_the_registration_gets_the_level_when_it_comes(units):
    await handle(units, placement(assignment.PlacementOffered, offered_on=date(2026, 11, 2)))
    assert units.database.tables.placements["REF-0001"].level_at_start is None
    await handle(units, registered(FIRST, "A2"))
    assert units.database.tables.placements["REF-0001"].level_at_start == "A2"


async def test_each_placement_event_sets_its_status_and_keeps_the_level_it_was_offered_with(
        units):
    await handle(units, registered(FIRST, "A1"))
    await handle(units, placement(assignment.PlacementOffered, offered_on=date(2026, 11, 2)))
    await handle(units, SurveyUpdated(pseudonym=FIRST, changes={"german_level": "B1"}))
    await handle(units, placement(assignment.PlacementWithdrawn, reason="course_cancelled"))
    stored = units.database.tables.placements["REF-0001"]
    assert (stored.status, stored.level_at_start) == (PlacementStatus.WITHDRAWN, "A1")
    assert units.database.tables.cases[FIRST].german_level == "B1"


async def test_courses_are_recorded_updated_and_cancelled(units):
    published = course("vhs-a", "c-1")
    await handle(units, assignment.CoursePublished(course=published))
    await handle(units, assignment.CourseUpdated(course=published.model_copy(
        update={"title": "Integrationskurs Munster"})))
    stored, status = units.database.tables.courses["c-1"]
    assert (stored.title, status) == ("Integrationskurs Munster", "running")
    await handle(units, assignment.CourseCancelled(course_id="c-1", provider_id="vhs-a"))
    assert units.database.tables.courses["c-1"][1] == "cancelled"


async def test_a_level_update_before_the_registration_is_parked_and_applied_after_it(units):
    await handle(units, SurveyUpdated(pseudonym=FIRST, changes={"german_level": "A2"}))
    await handle(units, SurveyUpdated(pseudonym=FIRST, changes={"german_level": "B1"}))
    assert [(row.key, row.reason) for row in units.database.tables.parked] == [
        (FIRST, NOT_REGISTERED)] * 2
    await handle(units, registered(FIRST, "A1"))
    # Applied in the order they came: the later update wins.
    assert units.database.tables.cases[FIRST].german_level == "B1"
    assert units.database.tables.parked == []


async def test_an_erasure_removes_the_case_everywhere_and_forgets_its_published_events(units):
    await handle(units, registered(FIRST))
    await handle(units, placement(assignment.PlacementOffered, offered_on=date(2026, 11, 2)))
    await handle(units, SurveyUpdated(pseudonym=SECOND, changes={"german_level": "A2"}))
    await handle(units, CaseErased(pseudonym=FIRST))
    await handle(units, CaseErased(pseudonym=SECOND))
    tables = units.database.tables
    assert (tables.cases, tables.placements, tables.parked) == ({}, {}, [])
    assert units.database.forgotten == [FIRST, SECOND]


async def test_a_merge_moves_placements_to_the_surviving_case(units):
    await handle(units, registered(FIRST, "A1"))
    await handle(units, registered(SECOND, "B1"))
    await handle(units, placement(assignment.PlacementOffered, pseudonym=SECOND,
                                  offered_on=date(2026, 11, 2)))
    await handle(units, CasesMerged(surviving_pseudonym=FIRST, merged_pseudonym=SECOND))
    tables = units.database.tables
    assert list(tables.cases) == [FIRST]
    assert tables.placements["REF-0001"].pseudonym == FIRST
    assert tables.parked == []


async def test_a_merge_before_the_merged_registration_is_parked_and_applied_when_it_comes(
        units):
    await handle(units, registered(FIRST))
    await handle(units, CasesMerged(surviving_pseudonym=FIRST, merged_pseudonym=SECOND))
    assert [row.key for row in units.database.tables.parked] == [SECOND]
    await handle(units, registered(SECOND))
    assert list(units.database.tables.cases) == [FIRST]
    assert units.database.tables.parked == []
