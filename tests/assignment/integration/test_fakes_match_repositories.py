"""The in-memory fakes (``tests/assignment/fakes.py``) answer as the real repositories do: the
same steps — stores, changes, and the questions the service layer asks — run on assignment's
real unit of work (SQLite, migrated) and on the fake, and every answer must be the same.

What the service-layer tests prove on the fakes holds on the database only as far as this
contract does; a repository method the service layer starts to call belongs here too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from ankommen.assignment.adapters.catalogue import CourseReview
from ankommen.assignment.adapters.coordination import ManualPlacementEntry
from ankommen.assignment.app import build_runtime
from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.domain.waiting import WaitingPerson
from ankommen.shared.clock import MovableClock
from ankommen.shared.events.contracts.assignment import Course, CourseApproval, CourseStatus
from ankommen.shared.events.contracts.intake import Survey, SurveyUpdated
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel
from tests.assignment.fakes import FakeDatabase
from tests.assignment.support import course_body
from tests.support.event_examples import decoded
from tests.support.services import settings_for
from tests.support.surveys import survey

DAY = date(2031, 3, 2)
CLOCK = datetime(2031, 3, 2, 9, tzinfo=UTC)

Steps = Callable[[Any], Awaitable[list[object]]]


@pytest.fixture
async def real(sqlite_databases):
    built = build_runtime(settings_for("assignment", kafka_bootstrap_servers="127.0.0.1:1",
                                       database_url=await sqlite_databases.url("assignment"),
                                       county_districts="03358"), clock=MovableClock(CLOCK))
    await built.migrate()
    try:
        yield built.uow
    finally:
        await built.engine.dispose()


def course(course_id: str, **fields: Any) -> Course:
    return Course(**course_body(course_id, **{"starts_on": "2031-03-16",
                                              "ends_on": "2031-08-31", **fields}))


def record(placement_id: str, pseudonym: str, course_id: str, status: PlacementStatus,
           offered_on: date, *, provider_id: str = "vhs-heidekreis",
           expires_on: date | None = None, childcare: bool = False) -> PlacementRecord:
    return PlacementRecord(
        placement_id=placement_id, pseudonym=pseudonym, course_id=course_id,
        provider_id=provider_id, referral_code=f"CODE-{placement_id}", status=status,
        offered_on=offered_on, waiting_since=offered_on - timedelta(days=20),
        childcare=childcare, explanation={"rules": [("a", 1)], "score": {"x": 1.5}},
        expires_on=expires_on)


def zoneless(entries: list[Any]) -> list[Any]:
    """Log entries with their time's zone left out: SQLite gives it back without one (the
    fake, like PostgreSQL, with it); either way the same moment in UTC."""
    return [replace(entry, at=entry.at.replace(tzinfo=None)) for entry in entries]


async def both(real_units: Any, steps: Steps) -> None:
    """Run ``steps`` in a committed unit on each, then compare every answer."""
    answers = []
    for units in (real_units, FakeDatabase(MovableClock(CLOCK)).uow):
        async with units() as uow:
            found = await steps(uow)
            await uow.commit()
        answers.append(found)
    assert answers[0] == answers[1]


async def test_waiting_list_and_cases_answer_alike(real):
    async def steps(uow: Any) -> list[object]:
        await uow.cases.add_all([(name, Survey(**survey(german_level="A1")), DAY)
                                 for name in ("p-b", "p-a", "p-c")])
        await uow.waiting_people.add_all([
            WaitingPerson("p-b", "03358021", GermanLevel.A1, DAY),
            WaitingPerson("p-a", "03358021", GermanLevel.A1, DAY),
            WaitingPerson("p-c", "03358022", GermanLevel.A2, DAY - timedelta(days=3),
                          wanted_course_type=CourseType.LITERACY)])
        await uow.waiting_people.set_reasons({"p-a": "courses_full", "p-c": "no_course"})
        await uow.waiting_people.mark_unmet_reported(["p-b", "p-x"], "2031-03")
        await uow.waiting_people.refresh("p-b", Survey(**survey(german_level="B1",
                                                                region_key="03358023")))
        await uow.cases.close("p-c")
        await uow.cases.set_previous_provider("p-a", "provider-1")
        answers: list[object] = [
            await uow.waiting_people.all(), await uow.waiting_people.of(["p-c", "p-a", "x"]),
            sorted(await uow.waiting_people.which_wait(["x", "p-a", "p-b"])),
            await uow.waiting_people.count(), await uow.waiting_people.get("nobody"),
            await uow.cases.is_open("p-c"), await uow.cases.is_open("p-a"),
            await uow.cases.is_open("nobody"), await uow.cases.known("p-b"),
            await uow.cases.known("nobody"), await uow.cases.survey("nobody"),
            await uow.cases.of_waiting(["p-a", "nobody"])]
        # A merge: the surviving case keeps the earlier place; a merged one alone moves.
        await uow.waiting_people.rekey("p-c", "p-a")
        await uow.waiting_people.rekey("p-b", "p-new")
        answers += [await uow.waiting_people.all()]
        runs = await uow.waiting_people.allocation_runs()
        await uow.waiting_people.lock_for_allocation()
        await uow.waiting_people.lock_for_allocation()
        answers += [await uow.waiting_people.allocation_runs() - runs]
        await uow.cases.delete("p-b")
        return [*answers, await uow.cases.known("p-b")]

    await both(real, steps)


async def test_catalogue_and_seats_answer_alike(real):
    async def steps(uow: Any) -> list[object]:
        await uow.courses.add(course("c-2", capacity=3, childcare_places=1))
        await uow.courses.add(course("c-1", starts_on="2031-03-01", capacity=2,
                                     approval=CourseApproval.APPROVED))
        await uow.courses.add(course("c-3", provider_id="other", status="cancelled"))
        await uow.courses.add(course("c-4", starts_on="2031-01-05", ends_on="2031-02-20",
                                     status="running"))
        await uow.courses.replace(course("c-2", capacity=4, childcare_places=2,
                                         title="Geändert"))
        await uow.courses.replace(course("missing"))
        await uow.placements.add_all([
            record("1", "p-a", "c-2", PlacementStatus.OFFERED, DAY, childcare=True),
            record("2", "p-b", "c-2", PlacementStatus.ENROLLED, DAY),
            record("3", "p-c", "c-2", PlacementStatus.DECLINED, DAY)])
        return [await uow.courses.list(), await uow.courses.list(provider_id="other"),
                await uow.courses.get("c-2"), await uow.courses.get("missing"),
                await uow.courses.seats(), await uow.courses.seats(bookable_only=False),
                await uow.courses.due_to_start(DAY), await uow.courses.running_past_end(DAY)]

    await both(real, steps)


async def test_placements_answer_alike(real):
    async def steps(uow: Any) -> list[object]:
        await uow.courses.add(course("c-1", title="Erster", starts_on="2031-01-10",
                                     ends_on="2031-03-01"))
        await uow.courses.add(course("c-2", title="Zweiter", provider_id="other"))
        earlier = DAY - timedelta(days=5)
        await uow.placements.add(record("b", "p-a", "c-1", PlacementStatus.OFFERED, DAY,
                                        expires_on=DAY - timedelta(days=1)))
        await uow.placements.add_all([
            record("a", "p-a", "c-2", PlacementStatus.OFFERED, DAY, provider_id="other",
                   expires_on=DAY + timedelta(days=3)),
            record("c", "p-b", "c-1", PlacementStatus.CONFIRMED, earlier),
            record("d", "p-b", "c-2", PlacementStatus.DECLINED, earlier, provider_id="other"),
            record("e", "p-c", "c-1", PlacementStatus.COMPLETED, earlier),
            record("f", "p-c", "c-2", PlacementStatus.COMPLETED, DAY, provider_id="other"),
            record("g", "p-d", "c-2", PlacementStatus.EXPIRED, earlier, provider_id="other"),
            record("h", "p-e", "c-2", PlacementStatus.OFFERED, earlier, provider_id="other")])
        await uow.placements.add_all([])
        answers: list[object] = [
            await uow.placements.move_status("c", PlacementStatus.CONFIRMED,
                                             PlacementStatus.ENROLLED),
            await uow.placements.move_status("c", PlacementStatus.CONFIRMED,
                                             PlacementStatus.ENROLLED),
            await uow.placements.move_status("missing", PlacementStatus.OFFERED,
                                             PlacementStatus.CONFIRMED)]
        await uow.placements.set_status("h", PlacementStatus.WITHDRAWN)
        await uow.placements.set_last_day("h", DAY)
        answers += [
            await uow.placements.get("a"), await uow.placements.get("missing"),
            await uow.placements.by_referral_code("CODE-c"),
            await uow.placements.by_referral_code("nope"),
            await uow.placements.referral_codes_taken(["CODE-a", "CODE-z"]),
            await uow.placements.of_person("p-a"),
            sorted(each.placement_id for each in await uow.placements.active_in_course("c-1")),
            await uow.placements.undecided_in_course("c-2"),
            await uow.placements.offers_past_last_day(DAY),
            await uow.placements.offers_without_last_day(),
            await uow.placements.undecided_in_ended_courses(DAY),
            await uow.placements.all(),
            await uow.placements.declined_courses(["p-b", "p-d", "p-a"]),
            await uow.placements.latest_courses(["p-c", "p-a"], [PlacementStatus.COMPLETED]),
            await uow.placements.provider_load(),
            await uow.placements.offers_made_on(DAY),
            await uow.placements.offer_rows(None, answered=False),
            await uow.placements.offer_rows("other", answered=True, limit=2),
            await uow.placements.offer_rows("other", answered=True)]
        await uow.placements.rekey("p-a", "p-z")
        await uow.placements.delete_person("p-b")
        return [*answers, await uow.placements.all()]

    await both(real, steps)


async def test_logs_capacity_and_parked_events_answer_alike(real):
    at = CLOCK
    first, second = "pseudonym-first-000", "pseudonym-second-00"
    keys = (first, second, first)
    parked = [decoded(SurveyUpdated(pseudonym=key, changes={"german_level": "B1"}))
              for key in keys]

    async def steps(uow: Any) -> list[object]:
        for decision in (CourseApproval.RETURNED, CourseApproval.APPROVED):
            await uow.course_reviews.record(CourseReview("c-1", decision, "k", "coordinator",
                                                         at, "why" if decision is
                                                         CourseApproval.RETURNED else None))
        await uow.manual_placements.record(ManualPlacementEntry("p1", "c-1", "k", "coordinator",
                                                                at, "weil", ("schedule",)))
        await uow.manual_placements.record(ManualPlacementEntry("p2", "c-2", "k", "admin", at,
                                                                "so"))
        await uow.capacity_reports.save("2031-03", {("03358", "literacy"): (10, 2),
                                                    ("03358", "general_integration"): (5, 5)})
        await uow.capacity_reports.save("2031-03", {("03358", "literacy"): (12, 3)})
        await uow.capacity_reports.save("2031-04", {})
        for key, event in zip(keys, parked, strict=True):
            await uow.parked_events.park(key, event, "not yet")
        return [zoneless(await uow.course_reviews.of_course("c-1")),
                zoneless(await uow.manual_placements.of_course("c-1")),
                zoneless(await uow.manual_placements.of_course("c-2")),
                await uow.capacity_reports.of_month("2031-03"),
                await uow.capacity_reports.of_month("2031-04"),
                [await uow.capacity_reports.next_sequence("03358", kind)
                 for kind in ("literacy", "literacy", "general_integration")],
                [event.envelope.id for event in await uow.parked_events.take([first])],
                await uow.parked_events.forget(second), await uow.parked_events.forget(second)]

    await both(real, steps)


@pytest.mark.parametrize("duplicate", ["case", "waiting", "course", "placement", "code"])
async def test_a_second_row_with_the_same_key_is_refused_alike(real, duplicate):
    async def steps(uow: Any) -> None:
        if duplicate == "case":
            cases = [("p-a", Survey(**survey()), DAY)]
            await uow.cases.add_all(cases + cases)
        elif duplicate == "waiting":
            person = WaitingPerson("p-a", "03358021", GermanLevel.A1, DAY)
            await uow.waiting_people.add(person)
            await uow.waiting_people.add(person)
        elif duplicate == "course":
            await uow.courses.add(course("c-1"))
            await uow.courses.add(course("c-1", status=CourseStatus.OPEN))
        else:
            first = record("a", "p-a", "c-1", PlacementStatus.OFFERED, DAY)
            second = record("a" if duplicate == "placement" else "b", "p-b", "c-1",
                            PlacementStatus.OFFERED, DAY)
            await uow.placements.add(first)
            await uow.placements.add(
                second if duplicate == "placement"
                else replace(second, referral_code=first.referral_code))

    for units in (real, FakeDatabase(MovableClock(CLOCK)).uow):
        async with units() as uow:
            with pytest.raises(IntegrityError):
                await steps(uow)
