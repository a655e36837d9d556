"""The roster (service/roster.py) through the fakes: one report kind for a whole course, the
rows read from the course's open placements, the same roster again answered as duplicates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ankommen.progress.domain.catalogue import PlacementStatus
from ankommen.progress.service.reporting import Channel, Verdict, submit_reports
from ankommen.progress.service.roster import roster_of, roster_report_id, submit_roster
from ankommen.shared.errors import NotFound
from tests.progress.fakes import FakeUnits
from tests.progress.unit.placement import COURSE, PLACEMENT
from tests.progress.unit.seeded import CODE, enrolment, seeded

WITHDRAWN, OFFERED = "REF-0002", "REF-0003"


async def course_of_three() -> FakeUnits:
    units = await seeded()
    async with units() as uow:
        await uow.catalogue.save_placement(replace(PLACEMENT, referral_code=WITHDRAWN,
                                                   status=PlacementStatus.WITHDRAWN))
        await uow.catalogue.save_placement(replace(PLACEMENT, referral_code=OFFERED,
                                                   status=PlacementStatus.OFFERED))
        await uow.commit()
    return units


async def test_the_roster_lists_the_placements_that_still_take_reports():
    units = await course_of_three()
    async with units() as uow:
        roster = await roster_of(uow, "vhs-a", COURSE.course_id)
    assert (roster.course, roster.referral_codes) == (COURSE, [CODE, OFFERED])


async def test_another_providers_course_reads_like_an_unknown_one():
    units = await course_of_three()
    async with units() as uow:
        for provider_id, course_id in (("vhs-b", COURSE.course_id), ("vhs-a", "c-9")):
            with pytest.raises(NotFound):
                await roster_of(uow, provider_id, course_id)


async def test_a_roster_reports_the_rows_with_a_value_and_again_is_all_duplicates():
    units = await course_of_three()
    async with units() as uow:
        roster = await roster_of(uow, "vhs-a", COURSE.course_id)
    rows = {CODE: {"hours_attended": "30"}, OFFERED: {"hours_attended": ""}}
    common = {"period_start": "2026-10-01", "period_end": "2026-10-31", "hours_planned": "40"}
    async with units() as uow:
        await submit_reports(uow, "vhs-a", [enrolment()], Channel.FORM)
        await uow.commit()
    for expected in (Verdict.ACCEPTED, Verdict.DUPLICATE):
        async with units() as uow:
            outcomes = await submit_roster(uow, "vhs-a", roster, "attendance", common, rows)
            await uow.commit()
        assert {code: outcome.verdict for code, outcome in outcomes.items()} == {
            CODE: expected}
    stored = units.database.tables.reports[-1]
    assert stored.report.report_id == roster_report_id(COURSE.course_id, "attendance",
                                                       "2026-10-01..2026-10-31", CODE)
    assert stored.channel == "form"


async def test_a_roster_row_that_fails_parsing_is_refused_and_kept():
    units = await course_of_three()
    async with units() as uow:
        roster = await roster_of(uow, "vhs-a", COURSE.course_id)
        outcomes = await submit_roster(uow, "vhs-a", roster, "discontinuation",
                                       {"date": "2026-11-02"}, {CODE: {"reason": "Mondfahrt"}})
        await uow.commit()
    assert outcomes[CODE].verdict is Verdict.REJECTED
    assert [problem.field for problem in outcomes[CODE].problems] == ["reason"]
    assert [row.refused.referral_code for row in units.database.tables.refused] == [CODE]
    assert units.database.tables.reports == []


async def test_a_kind_that_is_no_roster_kind_is_refused_before_anything_is_written():
    units = await course_of_three()
    async with units() as uow:
        roster = await roster_of(uow, "vhs-a", COURSE.course_id)
        with pytest.raises(ValueError, match="not a roster kind"):
            await submit_roster(uow, "vhs-a", roster, "retraction", {}, {CODE: {"x": "1"}})
    assert units.database.commits == 1 and units.database.tables.refused == []
