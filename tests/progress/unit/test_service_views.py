"""What a provider reads (service/views.py, list_templates.py) through the fakes: its own
participants with their state, one participant's whole history, the list template of its
course; another provider's answer as a refusal. Reading commits nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ankommen.progress.domain.catalogue import PlacementStatus
from ankommen.progress.domain.participation import Standing, Status
from ankommen.progress.service import views
from ankommen.progress.service.list_templates import course_roster
from ankommen.progress.service.reporting import Channel, submit_reports
from ankommen.shared.errors import Forbidden, NotFound
from tests.progress.unit.placement import COURSE, PLACEMENT
from tests.progress.unit.seeded import CODE, attendance, enrolment, report, seeded

DECLINED = "REF-0009"


async def with_reports():  # noqa: ANN201
    units = await seeded()
    async with units() as uow:
        await uow.catalogue.save_placement(replace(PLACEMENT, referral_code=DECLINED,
                                                   status=PlacementStatus.DECLINED))
        await submit_reports(uow, "vhs-a", [enrolment(), attendance("a-1"), report(
            "retraction", "a-2", corrects_report_id="a-1")], Channel.FORM)
        await uow.commit()
    units.database.commits = 0
    return units


async def test_a_provider_sees_its_participants_with_their_state():
    units = await with_reports()
    async with units() as uow:
        found = await views.participants(uow, "vhs-a")
        assert await views.participants(uow, "vhs-b") == []
        assert await views.known_cases(uow) == 1
    assert [(item.referral_code, item.status, item.course_title) for item in found] == [
        (CODE, Status.ENROLLED, COURSE.title), (DECLINED, Status.REFERRED, COURSE.title)]
    assert units.database.commits == 0


async def test_a_history_shows_every_report_with_its_standing():
    units = await with_reports()
    async with units() as uow:
        found = await views.history(uow, "vhs-a", CODE)
    assert [(entry.report.report_id, entry.standing) for entry in found.entries] == [
        ("e-1", Standing.EFFECTIVE), ("a-1", Standing.RETRACTED),
        ("a-2", Standing.EFFECTIVE)]


async def test_another_providers_participant_is_refused_like_an_unknown_one():
    units = await with_reports()
    async with units() as uow:
        for provider_id, code in (("vhs-b", CODE), ("vhs-a", "REF-7777")):
            with pytest.raises(Forbidden):
                await views.history(uow, provider_id, code)


async def test_the_list_template_names_the_current_placements_of_the_providers_course():
    units = await with_reports()
    async with units() as uow:
        template = await course_roster(uow, "vhs-a", COURSE.course_id)
        with pytest.raises(NotFound):
            await course_roster(uow, "vhs-b", COURSE.course_id)
    assert (template.title, template.referral_codes) == (COURSE.title, [CODE])
