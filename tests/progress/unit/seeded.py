"""Fake units of progress that already know the unit tests' course and placement
(tests/progress/unit/placement.py: ``vhs-a``'s course, one confirmed placement ``REF-0001``)
and its participant, at a moment in the middle of the course; and reports to submit."""

from __future__ import annotations

from typing import Any

from ankommen.progress.domain.cases import KnownCase
from ankommen.progress.service.reporting import parse_report
from ankommen.shared.events.contracts.progress import Report
from tests.progress.fakes import FakeUnits
from tests.progress.unit.placement import COURSE, PLACEMENT

CODE = PLACEMENT.referral_code
PSEUDONYM = PLACEMENT.pseudonym


async def seeded(*, level: str | None = "A1") -> FakeUnits:
    units = FakeUnits()
    async with units() as uow:
        await uow.cases.add(KnownCase(PSEUDONYM, COURSE.starts_on, level))
        await uow.catalogue.save_course(COURSE, "running")
        await uow.catalogue.save_placement(PLACEMENT)
        await uow.commit()
    units.database.commits = 0
    return units


def report(kind: str, report_id: str, code: str = CODE, **fields: Any) -> Report:
    parsed, problems = parse_report({"kind": kind, "report_id": report_id,
                                     "referral_code": code, **fields})
    assert parsed is not None, problems
    return parsed


def enrolment(report_id: str = "e-1", code: str = CODE) -> Report:
    return report("enrolment", report_id, code, started_on="2026-09-01")


def attendance(report_id: str = "a-1", attended: float = 30) -> Report:
    return report("attendance", report_id, period_start="2026-10-01", period_end="2026-10-31",
                  hours_attended=attended, hours_planned=40)


def completion(report_id: str = "done-1", level: str = "B1") -> Report:
    return report("completion", report_id, completed_on="2026-11-19", level_reached=level)
