"""Taking in reports (service/reporting.py, announcements.py) through the fakes: what is
stored, what is announced, what is refused and kept as a refusal, and who commits."""

from __future__ import annotations

from ankommen.progress.domain.problems import ProblemKind
from ankommen.progress.service.reporting import (
    Channel,
    Verdict,
    parse_report,
    rejected,
    submit_in_batches,
    submit_reports,
)
from ankommen.shared.events.contracts.progress import (
    AttendanceRecorded,
    CourseCompleted,
    CourseOutcomeFact,
    ParticipantEnrolled,
    ReportCorrected,
)
from tests.progress.unit.seeded import (
    CODE,
    PSEUDONYM,
    attendance,
    completion,
    enrolment,
    report,
    seeded,
)


async def test_an_accepted_report_is_stored_and_announced_when_the_caller_commits():
    units = await seeded()
    async with units() as uow:
        [outcome] = await submit_reports(uow, "vhs-a", [enrolment()], Channel.HTTP)
        assert units.database.published == [] and units.database.commits == 0
        await uow.commit()
    assert outcome.verdict is Verdict.ACCEPTED
    [stored] = units.database.tables.reports
    assert (stored.report, stored.channel, stored.pseudonym) == (enrolment(), "http", PSEUDONYM)
    [event] = units.published
    assert isinstance(event, ParticipantEnrolled) and event.pseudonym == PSEUDONYM


async def test_reports_left_uncommitted_are_not_kept():
    units = await seeded()
    async with units() as uow:
        await submit_reports(uow, "vhs-a", [enrolment()], Channel.HTTP)
    assert units.database.tables.reports == [] and units.published == []


async def test_the_same_report_again_is_a_duplicate_and_changes_nothing():
    units = await seeded()
    for _ in range(2):
        async with units() as uow:
            [outcome] = await submit_reports(uow, "vhs-a", [enrolment()], Channel.HTTP)
            await uow.commit()
    assert outcome.verdict is Verdict.DUPLICATE
    assert len(units.database.tables.reports) == 1 and len(units.published) == 1
    assert units.database.tables.refused == []


async def test_a_reused_report_id_with_other_content_is_a_conflict_kept_as_refusal():
    units = await seeded()
    async with units() as uow:
        await submit_reports(uow, "vhs-a", [enrolment(), attendance("a-1", 30)], Channel.CSV)
        [outcome] = await submit_reports(uow, "vhs-a", [attendance("a-1", 31)], Channel.CSV)
        await uow.commit()
    assert outcome.verdict is Verdict.REJECTED
    assert [problem.kind for problem in outcome.problems] == [ProblemKind.CONFLICT]
    [refused] = units.database.tables.refused
    assert (refused.provider_id, refused.refused.report_id, refused.refused.channel) == (
        "vhs-a", "a-1", "csv")


async def test_a_report_on_another_providers_placement_is_refused_and_announces_nothing():
    units = await seeded()
    async with units() as uow:
        [outcome] = await submit_reports(uow, "vhs-b", [enrolment()], Channel.HTTP)
        await uow.commit()
    assert outcome.verdict is Verdict.REJECTED
    assert outcome.problems[0].kind is ProblemKind.FORBIDDEN
    assert units.database.tables.reports == [] and units.published == []
    assert [row.provider_id for row in units.database.tables.refused] == ["vhs-b"]


async def test_reports_of_one_batch_see_the_ones_before_them():
    units = await seeded()
    async with units() as uow:
        outcomes = await submit_reports(uow, "vhs-a", [enrolment(), attendance()],
                                        Channel.CSV)
        await uow.commit()
    assert [outcome.verdict for outcome in outcomes] == [Verdict.ACCEPTED, Verdict.ACCEPTED]
    assert [type(event) for event in units.published] == [ParticipantEnrolled,
                                                          AttendanceRecorded]
    assert [row.sequence for row in units.database.tables.reports] == [1, 2]


async def test_a_completion_announces_its_outcome_fact_and_the_level_for_the_next_course():
    units = await seeded(level="A1")
    async with units() as uow:
        await submit_reports(uow, "vhs-a", [enrolment(), completion(level="B1")], Channel.FORM)
        await uow.commit()
    events = units.published
    assert [type(event) for event in events] == [ParticipantEnrolled, CourseCompleted,
                                                 CourseOutcomeFact]
    fact = events[2]
    assert isinstance(fact, CourseOutcomeFact)
    assert (fact.level_at_start, fact.level_reached) == ("A1", "B1")
    assert units.database.tables.cases[PSEUDONYM].german_level == "B1"


async def test_a_correction_announces_what_it_corrects_and_no_second_fact():
    units = await seeded()
    async with units() as uow:
        await submit_reports(uow, "vhs-a", [enrolment(), completion()], Channel.FORM)
        await uow.commit()
    before = len(units.published)
    async with units() as uow:
        [outcome] = await submit_reports(uow, "vhs-a", [report(
            "completion", "done-2", completed_on="2026-11-18", level_reached="A2",
            corrects_report_id="done-1")], Channel.FORM)
        await uow.commit()
    assert outcome.verdict is Verdict.ACCEPTED
    added = units.published[before:]
    assert [type(event) for event in added] == [CourseCompleted, ReportCorrected]
    assert isinstance(added[1], ReportCorrected) and added[1].corrects_report_id == "done-1"


async def test_the_bulk_path_commits_one_unit_per_batch_and_keeps_unparsed_items_in_place():
    units = await seeded()
    broken = {"kind": "enrolment", "report_id": "x-1", "referral_code": CODE}
    _, problems = parse_report(broken)
    outcomes = await submit_in_batches(units, "vhs-a", [
        enrolment(), rejected(broken, problems), attendance()], Channel.HTTP, batch_size=1)
    assert [outcome.verdict for outcome in outcomes] == [Verdict.ACCEPTED, Verdict.REJECTED,
                                                         Verdict.ACCEPTED]
    # One unit for the unparsed item, one per batch of parsed reports.
    assert units.database.commits == 3
    assert [row.refused.report_id for row in units.database.tables.refused] == ["x-1"]
    assert len(units.database.tables.reports) == 2
