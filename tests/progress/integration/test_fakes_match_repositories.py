"""The in-memory fakes (tests/progress/fakes.py) answer as the real repositories do: the same
calls with the same inputs on a migrated SQLite database and on the fakes give the same answers
— ordering, uniqueness, what a lookup of something unknown returns, what an erasure or a merge
leaves. The service-layer tests on the fakes prove something only while this holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from ankommen.progress.adapters.repository import NewReport, StoredReport
from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.domain.catalogue import Course, Placement, PlacementStatus
from ankommen.progress.domain.problems import Problem, ProblemKind
from ankommen.progress.service.reporting import parse_report
from ankommen.shared.clock import MovableClock
from ankommen.shared.db.unit_of_work import UnitOfWorkFactory
from ankommen.shared.events.contracts.intake import SurveyUpdated
from ankommen.shared.events.registry import registry
from tests.progress.fakes import DuplicateKey, FakeUnits

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

Work = Callable[[Any], Awaitable[Any]]


class Both:
    """Runs each step on the real units and on the fakes, one committed unit each."""

    def __init__(self, real: UnitOfWorkFactory[ProgressUnitOfWork]) -> None:
        self.real = real
        self.fake = FakeUnits(MovableClock(NOW))

    async def same(self, work: Work) -> Any:
        async with self.real() as uow:
            answer = await work(uow)
            await uow.commit()
        async with self.fake() as uow:
            faked = await work(uow)
            await uow.commit()
        assert normalised(faked) == normalised(answer)
        return answer

    async def both_refuse(self, work: Work) -> None:
        async with self.real() as uow:
            with pytest.raises(IntegrityError):
                await work(uow)
        async with self.fake() as uow:
            with pytest.raises(DuplicateKey):
                await work(uow)


def normalised(value: Any) -> Any:
    """SQLite hands back a stored instant without its zone (PostgreSQL with it)."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(item) for item in value]
    if isinstance(value, StoredReport) and value.received_at.tzinfo is None:
        return StoredReport(value.sequence, value.provider_id, value.channel,
                            value.received_at.replace(tzinfo=UTC), value.report)
    return value


def course(course_id: str, provider_id: str = "vhs-a", title: str = "Integrationskurs") -> Course:
    return Course(course_id=course_id, provider_id=provider_id, title=title,
                  course_type="general_integration", region_key="03358021",
                  starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 31), hours=700)


def placement(code: str, pseudonym: str, course_id: str = "c-1", provider_id: str = "vhs-a",
              status: PlacementStatus = PlacementStatus.CONFIRMED) -> Placement:
    return Placement(referral_code=code, placement_id=f"p-{code}", pseudonym=pseudonym,
                     course_id=course_id, provider_id=provider_id, status=status)


def report(report_id: str, code: str, started_on: str = "2026-09-01"):  # noqa: ANN201
    parsed, problems = parse_report({"kind": "enrolment", "report_id": report_id,
                                     "referral_code": code, "started_on": started_on})
    assert not problems
    return parsed


def new(provider_id: str, report_id: str, code: str, pseudonym: str) -> NewReport:
    return NewReport(provider_id=provider_id, pseudonym=pseudonym, channel="csv",
                     received_at=NOW, report=report(report_id, code))


async def test_the_catalogue_answers_alike(progress_units):
    both = Both(progress_units)

    async def announce(uow) -> None:  # noqa: ANN001
        await uow.catalogue.save_course(course("c-1"), "running")
        await uow.catalogue.save_course(course("c-2", title="Alt"), "planned")
        await uow.catalogue.save_course(course("c-2", title="Neu"), "running")
        await uow.catalogue.save_course(course("c-3", provider_id="vhs-b"), "running")
        await uow.catalogue.cancel_course("c-3")
        await uow.catalogue.cancel_course("no-such-course")
        # A placement before its case's registration, one after it.
        await uow.catalogue.save_placement(placement("REF-00B", "early"))
        await uow.cases.add(KnownCase("early", date(2026, 8, 1), "A2"))
        await uow.cases.add(KnownCase("late", date(2026, 8, 1), "B1"))
        await uow.catalogue.save_placement(placement("REF-00A", "late"))
        await uow.catalogue.save_placement(placement("REF-00C", "late", "c-3", "vhs-b"))
        # A later status keeps the level the seat was offered with.
        await uow.cases.set_level("late", "B2")
        await uow.catalogue.save_placement(placement("REF-00A", "late",
                                                     status=PlacementStatus.WITHDRAWN))

    await both.same(announce)
    await both.same(lambda uow: uow.catalogue.placements(["REF-00A", "REF-00B", "REF-00X"]))
    await both.same(lambda uow: uow.catalogue.courses({"c-1", "c-2", "c-3", "c-9"}))
    await both.same(lambda uow: uow.catalogue.placements_of_provider("vhs-a"))
    await both.same(lambda uow: uow.catalogue.placements_of_provider("vhs-nobody"))
    await both.same(lambda uow: uow.cases.known("early"))
    await both.same(lambda uow: uow.cases.known("nobody"))
    await both.same(lambda uow: uow.cases.count())
    await both.both_refuse(lambda uow: uow.cases.add(KnownCase("early", date(2026, 8, 1))))


async def test_the_report_history_answers_alike(progress_units):
    both = Both(progress_units)
    await both.same(lambda uow: uow.reports.add_all([
        new("vhs-a", "r-2", "REF-00A", "p-a"), new("vhs-a", "r-1", "REF-00B", "p-b"),
        new("vhs-b", "r-1", "REF-00C", "p-c")]))
    await both.same(lambda uow: uow.reports.add_all([new("vhs-a", "r-3", "REF-00A", "p-a")]))
    await both.same(lambda uow: uow.reports.add_all([]))
    await both.same(lambda uow: uow.reports.histories(["REF-00A", "REF-00B", "REF-00X"]))
    await both.same(lambda uow: uow.reports.existing("vhs-a", ["r-1", "r-3", "r-9"]))
    await both.same(lambda uow: uow.reports.existing("vhs-c", ["r-1"]))
    # A report id is unique per provider.
    await both.both_refuse(lambda uow: uow.reports.add_all([
        new("vhs-a", "r-1", "REF-00B", "p-b")]))


async def test_erasure_and_merges_leave_the_same(progress_units):
    both = Both(progress_units)

    async def stored(uow) -> None:  # noqa: ANN001
        await uow.catalogue.save_course(course("c-1"), "running")
        for pseudonym, code in (("gone", "REF-00G"), ("merged", "REF-00M"), ("kept", "REF-00K"),
                                ("lone", "REF-00L")):
            await uow.cases.add(KnownCase(pseudonym, date(2026, 8, 1), "A1"))
            await uow.catalogue.save_placement(placement(code, pseudonym))
            await uow.reports.add_all([new("vhs-a", f"r-{code}", code, pseudonym)])
        await uow.catalogue.save_placement(placement("REF-00U", "unregistered"))

    async def left(uow) -> tuple[Any, ...]:  # noqa: ANN001
        codes = ["REF-00G", "REF-00M", "REF-00K", "REF-00L", "REF-00U"]
        return (await uow.cases.count(),
                [await uow.cases.known(name) for name in ("gone", "merged", "kept", "lone",
                                                          "unregistered")],
                await uow.catalogue.placements(codes), await uow.reports.histories(codes))

    await both.same(stored)
    await both.same(lambda uow: uow.pseudonyms.erase("gone"))
    await both.same(lambda uow: uow.pseudonyms.merge("merged", "kept"))
    # The surviving case not known here: the merged one's registration becomes it.
    await both.same(lambda uow: uow.pseudonyms.merge("lone", "unregistered"))
    await both.same(left)


async def test_refused_reports_answer_alike(progress_units):
    both = Both(progress_units)
    long = "x" * 400
    problems = [Problem("started_on", "after the course", ProblemKind.INVALID,
                        "problems.after_course", {"day": date(2027, 4, 1)}),
                Problem(long, long, ProblemKind.CONFLICT)]

    await both.same(lambda uow: uow.refused_reports.add_all("vhs-a", "csv", NOW, [
        ("r-1", "REF-00A", "enrolment", problems[:1]), (None, None, None, problems[1:])]))
    await both.same(lambda uow: uow.refused_reports.add_all(
        "vhs-a", "form", NOW + timedelta(hours=1), [(long, long, long, problems)]))
    await both.same(lambda uow: uow.refused_reports.add_all("vhs-b", "http", NOW, [
        ("r-1", "REF-00B", "attendance", problems[:1])]))
    await both.same(lambda uow: uow.refused_reports.add_all("vhs-a", "csv", NOW, []))
    await both.same(lambda uow: uow.refused_reports.of_provider("vhs-a", 500))
    await both.same(lambda uow: uow.refused_reports.of_provider("vhs-a", 2))
    await both.same(lambda uow: uow.refused_reports.delete_before(NOW + timedelta(minutes=1)))
    await both.same(lambda uow: uow.refused_reports.of_provider("vhs-a", 500))


async def test_parked_events_answer_alike(progress_units):
    both = Both(progress_units)

    def update(pseudonym: str, level: str):  # noqa: ANN202
        data = SurveyUpdated(pseudonym=pseudonym, changes={"german_level": level})
        return registry.decode(registry.envelope(data, source="/ankommen/intake").to_bytes())

    one, two = "p1" * 8, "p2" * 8
    first, second = update(one, "A2"), update(one, "B1")
    other = update(two, "A1")

    async def park(uow) -> None:  # noqa: ANN001
        await uow.parked_events.park(one, first, "not registered")
        await uow.parked_events.park(two, other, "not registered")
        await uow.parked_events.park(one, second, "not registered")

    await both.same(park)
    await both.same(lambda uow: uow.parked_events.count())
    taken = await both.same(lambda uow: uow.parked_events.take([one, "p9" * 8]))
    assert [event.envelope.id for event in taken] == [first.envelope.id, second.envelope.id]
    await both.same(lambda uow: uow.parked_events.forget(two))
    await both.same(lambda uow: uow.parked_events.forget(two))
    await both.same(lambda uow: uow.parked_events.count())
