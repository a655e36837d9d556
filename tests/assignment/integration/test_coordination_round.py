"""The monthly coordination round (*Koordinierungsrunde*) through the months: the same county
read with a movable clock in March, April and May gives sections that agree with what the day
turn did meanwhile — a course that ended has no free seats any more, one postponed for its
minimum shows its cancellation as the next step, one starting next month is listed. Then the
page and the PDF: refused to a provider (a 403 page), a bad month a German 422 page.

The service's runtime on SQLite without a broker for the months (as test_day_turn drives it);
the pages through the app in process."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pypdfium2

from ankommen.assignment.domain.lifecycle import StartDecision
from ankommen.assignment.service.coordination_round import Month, Step, coordination_round
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    applying_then_allocating,
)
from ankommen.shared.events.contracts.intake import CaseRegistered, Survey
from ankommen.shared.events.contracts.vocabulary import CourseType, GermanLevel
from ankommen.shared.identity.auth import Role
from tests.assignment.integration.test_day_turn import County, runtime  # noqa: F401 - fixture
from tests.assignment.integration.test_event_batches import delivery
from tests.support.clock import MovableClock
from tests.support.services import in_process
from tests.support.surveys import survey
from tests.support.tokens import issue_token


async def register(county: County, pseudonym: str, **answers: object) -> None:
    """A registration as the cases consumer handles it, with the survey's ``answers``."""
    handle = applying_then_allocating(CASE_EVENTS, county.policy, in_bulk=CASE_EVENTS_IN_BULK)
    async with county.runtime.uow() as uow:
        await handle(uow, [delivery(CaseRegistered(
            pseudonym=pseudonym, registered_on=county.clock.today(),
            survey=Survey(**survey(region_key="03358021", german_level="A1", **answers))))])
        await uow.commit()


async def read_round(county: County, month: str):  # noqa: ANN201
    settings = county.runtime.settings
    async with county.runtime.uow() as uow:
        return await coordination_round(
            uow, Month.parse(month), today=county.clock.today(), districts=settings.districts,
            priority=settings.priority, disclosure_minimum=1,
            postponement_weeks=settings.postponement_weeks)


def listed(entries) -> list[str]:  # noqa: ANN001
    return [entry.course.course_id for entry in entries]


async def test_the_rounds_of_three_months_follow_the_calendar(runtime):  # noqa: F811
    county = County(runtime)
    # 2 March 2031: a short course from 16 March to 10 April, one that needs five people
    # starting 6 April; two people register and are placed in the short one.
    await county.publish("short", starts_on="2031-03-16", ends_on="2031-04-10", capacity=3)
    await county.publish("needs-five", starts_on="2031-04-06", ends_on="2031-09-30",
                         minimum_participants=5, schedule=["evenings"])
    worker = await county.register()
    await register(county, "no-career-goal-0001", goals=[])
    assert (await county.placement(worker, "short"))["status"] == "offered"
    await county.publish("may", starts_on="2031-05-04", ends_on="2031-10-31")

    march = await read_round(county, "2031-03")
    assert march.as_of == date(2031, 3, 2)
    assert listed(march.free_seats) == ["short", "needs-five", "may"]
    short = march.free_seats[0]
    assert (short.taken, short.free, short.course.capacity) == (2, 1, 3)
    [risk] = march.at_risk
    assert (risk.course.course_id, risk.held, risk.missing, risk.decision, risk.decided_on,
            risk.new_start) == ("needs-five", 0, 5, StartDecision.POSTPONE, date(2031, 4, 6),
                                date(2031, 5, 4))
    # "short" ends on 10 April, within six weeks of 1 March: its two people and their steps.
    [ending] = march.ending
    assert ending.course.course_id == "short"
    assert dict(ending.steps) == {Step(CourseType.JOB_RELATED_B2, GermanLevel.B2): 1,
                                  Step(None, None): 1}
    assert march.waiting == [] and march.unmet.groups == []

    # A coming month's round is computed for its first day.
    april_ahead = await read_round(county, "2031-04")
    assert april_ahead.as_of == date(2031, 4, 1)
    assert listed(april_ahead.at_risk) == ["needs-five"]

    # 15 April: "short" ended (its offers were never confirmed: both wait again, and "may"
    # offers them seats), "needs-five" was postponed to 4 May.
    await county.on(date(2031, 4, 15))
    april = await read_round(county, "2031-04")
    assert april.as_of == date(2031, 4, 15)
    assert listed(april.free_seats) == ["may", "needs-five"]
    assert april.ending == []
    [risk] = april.at_risk
    assert (risk.course.course_id, risk.decision, risk.decided_on, risk.new_start) == (
        "needs-five", StartDecision.CANCEL, date(2031, 5, 4), None)
    may_seats = {entry.course.course_id: entry for entry in april.free_seats}["may"]
    assert may_seats.taken == 2
    # The past month keeps the course it ran in, as far as the days still allow: March's
    # round (computed for 31 March) still lists "short", which ran until 10 April.
    assert "short" in listed((await read_round(county, "2031-03")).free_seats)

    # 5 May: "needs-five" lacked its minimum again and was cancelled; it is on no list.
    await county.on(date(2031, 5, 5))
    may = await read_round(county, "2031-05")
    assert listed(may.free_seats) == ["may"] and may.at_risk == []
    # The two people's offers in "may" expired unconfirmed on 30 April: they wait again
    # (since 2 March, their original place), "may" is not offered to them twice. A person
    # free only in the evenings waits too (no course fits): counted by need with the wait,
    # and as unmet demand in the district, like the two.
    await register(county, "evenings-only-0001", availability=["evenings"])
    county.clock.set(datetime(2031, 5, 19, 9, tzinfo=UTC))
    may = await read_round(county, "2031-05")
    needs = {need.schedule: (need.level, need.course_type, need.count, need.median_days,
                             need.longest_days) for need in may.waiting}
    assert needs == {
        ("mornings",): (GermanLevel.A1, CourseType.GENERAL_INTEGRATION, 2, 78, 78),
        ("evenings",): (GermanLevel.A1, CourseType.GENERAL_INTEGRATION, 1, 14, 14)}
    assert sum(group.count for group in may.unmet.groups) == 3


async def test_the_page_is_for_coordinators_and_names_a_bad_month(kafka, sqlite_databases):
    clock = MovableClock(datetime(2031, 3, 2, 9, tzinfo=UTC))
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment"),
                          clock=clock) as assignment:
        client = assignment.client
        assignment.sign_in_with(issue_token(Role.PROVIDER, "traeger",
                                            provider_id="vhs-heidekreis"))
        for path in ("/ui/round", "/ui/round.pdf"):
            refused = await client.get(path)
            assert refused.status_code == 403, path
            assert refused.headers["content-type"].startswith("text/html")
            assert "Dafür fehlt Ihnen die Berechtigung" in refused.text

        assignment.sign_in_with(issue_token(Role.COORDINATOR, "koordination"))
        for bad in ("2031-13", "März", "31-03"):
            wrong = await client.get("/ui/round", params={"month": bad})
            assert wrong.status_code == 422, bad
            assert "month:" in wrong.text and 'lang="de"' in wrong.text

        page = await client.get("/ui/round")
        assert page.status_code == 200
        assert "Koordinierungsrunde Landkreis Heidekreis – März 2031" in page.text
        assert 'value="2031-03"' in page.text and "month=2031-02" in page.text \
            and "month=2031-04" in page.text
        pdf = await client.get("/ui/round.pdf", params={"month": "2031-04"})
        assert pdf.headers["content-type"] == "application/pdf"
        document = pypdfium2.PdfDocument(pdf.content)
        text = "".join(document[index].get_textpage().get_text_range()
                       for index in range(len(document)))
        assert "Koordinierungsrunde Landkreis Heidekreis – April 2031" in text
        assert "Freie Plätze je Kurs" in text and "Ungedeckter Bedarf nach Region" in text
        assert f"Seite 1 von {len(document)}" in text and len(document) == 5
