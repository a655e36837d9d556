"""Every page a coordinator, a provider or the public reads shows words, not internal codes
(issue 19): the test walks each page of assignment, progress and monitoring in German and in
English, with data that puts every course type, time slot, mode, status, approval state,
waiting reason, report kind, reason and exam on them, and fails on a code in the visible
text — and on the bare district key 03358, which has a name. The allocation and demand pages
also keep their titles plain (the "below minimum" list once rendered inside ``<title>``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ankommen.shared.events.contracts.progress import (
    DiscontinuationReason,
    ExamType,
    InterruptionReason,
)
from ankommen.shared.events.contracts.vocabulary import CourseType
from ankommen.shared.identity.auth import Role
from tests.assignment.support import COORDINATOR, course_body, register, waiting_count
from tests.monitoring.facts_topic import (
    arrival,
    course_outcome,
    placement,
    publish,
    unmet_demand,
    until_processed,
    waitlisted,
)
from tests.progress.integration.catalogue import (
    day,
    progress_with_placements,
    referral_code,
)
from tests.progress.integration.list_pages import CSRF_FIELD, preview
from tests.support.clock import MovableClock
from tests.support.county_day import county_today
from tests.support.polling import eventually
from tests.support.raw_codes import raw_codes, title_of
from tests.support.services import in_process, token
from tests.support.tokens import issue_token

LANGUAGES = ("de", "en")
#: A district with a name in the shipped municipality directory, and a provider with a name.
NAMED_DISTRICT = "03358"
NAMED_PROVIDER = "vhs-heidekreis"
ASSIGNMENT_PAGES = ("/ui/courses", "/ui/allocation", "/ui/waiting-list", "/ui/unmet-demand",
                    "/course-list", "/ui/round", "/ui/referrals")

pytestmark = pytest.mark.timeout(60)


def assert_words_only(page: str, path: str, language: str) -> None:
    found = raw_codes(page, language, extra=(NAMED_DISTRICT, NAMED_PROVIDER))
    assert found == [], f"{path} ({language}) shows codes: {found}"


async def test_coordinator_pages_show_words_for_every_code(kafka, sqlite_databases):
    bootstrap = kafka.bootstrap_servers
    async with in_process("assignment", bootstrap=bootstrap,
                          database_url=await sqlite_databases.url("assignment"),
                          county_districts="03358,03351", allocate_on_events=False,
                          disclosure_minimum=1) as assignment:
        # People who fit (general course, mornings), who fit nothing (literacy need, evenings
        # only, another district), and who need childcare: every waiting reason and demand.
        people = [await register(bootstrap, 40), await register(bootstrap, 30),
                  await register(bootstrap, 20, reads_latin_script=False,
                                 availability=["evenings", "weekends"], region_key="03351001"),
                  await register(bootstrap, 10, german_level="A0",
                                 availability=["afternoons"], children_needing_care=2)]
        await eventually(lambda: waiting_count(assignment), until=lambda n: n == len(people),
                         what="everyone waiting")
        starts = county_today() + timedelta(days=14)
        # One course of each type, modes and schedules in turn; the first takes one person
        # (so the second waits with "courses full"), the literacy course wants more people
        # than there are ("below minimum").
        modes = ("in_person", "online", "hybrid")
        schedules = (["mornings"], ["afternoons", "evenings"], ["weekends"])
        for number, kind in enumerate(CourseType):
            literacy = kind is CourseType.LITERACY
            body = course_body(
                f"c-{uuid.uuid4().hex[:6]}", course_type=kind.value, capacity=8 if literacy else 1,
                mode=modes[number % 3], schedule=schedules[number % 3],
                provider_name="VHS Heidekreis",
                region_key=NAMED_DISTRICT if number % 2 else "03358021",
                minimum_participants=5 if literacy else 0,
                status="planned" if number % 4 == 3 else "open",
                starts_on=starts.isoformat(),
                ends_on=(starts + timedelta(days=180)).isoformat())
            created = await assignment.client.post("/courses", json=body, headers=COORDINATOR)
            assert created.status_code == 201, created.text
        cancelled = f"c-{uuid.uuid4().hex[:6]}"
        await assignment.client.post("/courses", json=course_body(
            cancelled, provider_name="VHS Heidekreis"), headers=COORDINATOR)
        await assignment.client.post(f"/courses/{cancelled}/cancel", headers=COORDINATOR)
        # A provider's drafts (it announced no name: its id is shown): one waits for
        # approval, one was sent back.
        provider = token(Role.PROVIDER, "vhs-anderer-traeger")
        for _ in range(2):
            draft = f"c-{uuid.uuid4().hex[:6]}"
            await assignment.client.post("/courses", json=course_body(
                draft, "vhs-anderer-traeger"), headers=provider)
        returned = await assignment.client.post(f"/courses/{draft}/return",
                                                json={"reason": "Bitte Zeiten prüfen"},
                                                headers=COORDINATOR)
        assert returned.status_code == 200, returned.text

        assignment.sign_in_with(issue_token(Role.COORDINATOR, "koordination"))
        preview = await assignment.client.get("/ui/allocation")
        # The issue's rendering bug: the title is the page's name, nothing inside it.
        assert title_of(preview.text).startswith("Platzvergabe"), title_of(preview.text)
        assert "<" not in title_of(preview.text)
        assert 'id="below-minimum"' in preview.text and 'id="still-waiting"' in preview.text
        demand = await assignment.client.get("/ui/unmet-demand")
        assert 'id="below-minimum"' in demand.text and "<" not in title_of(demand.text)
        ran = await assignment.client.post("/allocations", json={"dry_run": False},
                                           headers=COORDINATOR)
        assert ran.status_code in (200, 201), ran.text

        for language in LANGUAGES:
            for path in ASSIGNMENT_PAGES:
                response = await assignment.client.get(f"{path}?lang={language}")
                assert response.status_code == 200, (path, response.text)
                assert "<" not in title_of(response.text), path
                assert_words_only(response.text, path, language)
        catalogue = (await assignment.client.get("/ui/courses?lang=de")).text
        assert "Allgemeiner Integrationskurs" in catalogue and "VHS Heidekreis" in catalogue
        assert "Landkreis Heidekreis" in catalogue and "Soltau" in catalogue
        waiting = (await assignment.client.get("/ui/waiting-list?lang=de")).text
        assert "kein passender Kurs" in waiting
        # The coordination round lists the literacy course short of its minimum.
        meeting = (await assignment.client.get("/ui/round?lang=de")).text
        assert 'id="at-risk-table"' in meeting and "verschoben" in meeting

        # The coordinator's actions (issue 19): the course form, each confirmation page with
        # its consequences, the filtered waiting list, placing by hand and its placement.
        courses = (await assignment.client.get("/courses", headers=COORDINATOR)).json()
        offered = next(course for course in courses if course["approval"] == "approved"
                       and course["status"] == "open" and course["course_type"] == "literacy")
        [waiting_person, *_] = [person["pseudonym"] for person in (await assignment.client.get(
            "/waiting-list", headers=COORDINATOR)).json()["people"]]
        csrf = CSRF_FIELD.search(waiting).group(1)
        for language in LANGUAGES:
            form = await assignment.client.post(
                f"/ui/manual-placement/form?lang={language}",
                data={"csrftoken": csrf, "pseudonym": waiting_person})
            assert form.status_code == 200, form.text
            assert_words_only(form.text, "/ui/manual-placement/form", language)
        placed = await assignment.client.post("/placements/manual", headers=COORDINATOR, json={
            "pseudonym": waiting_person, "course_id": offered["course_id"],
            "reason": "Alphabetisierung nach Rücksprache"})
        assert placed.status_code == 201, placed.text
        course_id, later = offered["course_id"], (starts + timedelta(days=60)).isoformat()
        for language in LANGUAGES:
            for path in ("/ui/courses/new", f"/ui/courses/{course_id}/edit",
                         f"/ui/courses/{draft}/approve", f"/ui/courses/{course_id}/return",
                         f"/ui/courses/{course_id}/cancel",
                         f"/ui/courses/{course_id}/postpone?starts_on={later}",
                         "/ui/waiting-list?reason=no_fitting_course&level=A1&waited=30",
                         f"/ui/placements/{placed.json()['placement_id']}"):
                response = await assignment.client.get(
                    f"{path}{'&' if '?' in path else '?'}lang={language}")
                assert response.status_code == 200, (path, response.text)
                assert "<" not in title_of(response.text), path
                assert_words_only(response.text, path, language)


async def test_provider_pages_show_words_for_every_code(kafka, sqlite_databases):
    code, other = referral_code(), referral_code()
    async with progress_with_placements(kafka, sqlite_databases, {"vhs-a": [code, other]}
                                        ) as (progress, _):
        provider = token(Role.PROVIDER, "vhs-a")
        reports = [
            {"kind": "enrolment", "started_on": day(1)},
            {"kind": "attendance", "period_start": day(1), "period_end": day(20),
             "hours_attended": 50, "hours_planned": 60},
            {"kind": "interruption", "interrupted_on": day(21),
             "reason": InterruptionReason.PREGNANCY.value},
            {"kind": "resumption", "resumed_on": day(30)},
            {"kind": "exam_result", "exam": ExamType.LIFE_IN_GERMANY.value,
             "taken_on": day(40), "passed": True, "level_reached": "A2",
             "skills": {"listening": "A2", "reading": "A2", "writing": "A1", "speaking": "B1"}},
            {"kind": "completion", "completed_on": day(60), "level_reached": "A2"},
            {"kind": "retraction", "corrects_report_id": "r-6"},
            {"kind": "discontinuation", "discontinued_on": day(61),
             "reason": DiscontinuationReason.OVERTAXED.value},
        ]
        for number, report in enumerate(reports, start=1):
            response = await progress.client.post("/reports", json={
                "report_id": f"r-{number}", "referral_code": code, **report}, headers=provider)
            assert response.status_code == 201, (report, response.text)
        superseded = await progress.client.post("/reports", json={
            "report_id": "r-9", "referral_code": code, "kind": "attendance",
            "period_start": day(1), "period_end": day(20), "hours_attended": 55,
            "hours_planned": 60, "corrects_report_id": "r-2"}, headers=provider)
        assert superseded.status_code == 201, superseded.text

        # A refused report for the refused reports page (another provider's code).
        refused = await progress.client.post("/reports", json={
            "report_id": "r-10", "referral_code": referral_code(), "kind": "enrolment",
            "started_on": day(1)}, headers=provider)
        assert refused.status_code == 403, refused.text
        course_id = (await progress.client.get("/participants", headers=provider)
                     ).json()[0]["course_id"]
        roster = f"/courses/{course_id}/roster"

        progress.sign_in_with(issue_token(Role.PROVIDER, "browser", provider_id="vhs-a"))
        for language in LANGUAGES:
            for path in ("/", f"/participants/{code}", f"/participants/{other}", "/upload",
                         "/refused", roster, *(f"{roster}?kind={kind}" for kind in (
                             "attendance", "exam_result", "enrolment", "completion",
                             "discontinuation"))):
                separator = "&" if "?" in path else "?"
                response = await progress.client.get(f"{path}{separator}lang={language}")
                assert response.status_code == 200, (path, response.text)
                assert_words_only(response.text, path, language)
        # The list preview: refused rows by column and reason, in words.
        listing = ("Vermittlungscode;Meldungsart;Datum;Grund;Prüfung;Bestanden;"
                   "Erreichtes Niveau\r\n"
                   f"{other};Unterbrechung;{day(5)};Krankheit;;;\r\n"
                   f"{other};Urlaub;{day(5)};;;;\r\n"
                   f"{other};Prüfung;{day(6)};;DTZ;vielleicht;B7\r\n").encode()
        for language in LANGUAGES:
            form = await progress.client.get(f"/upload?lang={language}")
            shown = await preview(progress.client, CSRF_FIELD.search(form.text).group(1),
                                  listing)
            assert shown.status_code == 200 and "rejected" in shown.text, shown.text
            assert_words_only(shown.text, "/upload (preview)", language)
        history = (await progress.client.get(f"/participants/{code}?lang=de")).text
        for word in ("Prüfungsergebnis", "Schwangerschaft", "überfordert", "Leben in Deutschland",
                     "ersetzt", "Schnittstelle (API)", "Hören A2"):
            assert word in history, word


async def test_public_dashboard_shows_words_and_districts_by_name(kafka, sqlite_databases):
    month, begins = "2026-10", datetime(2026, 10, 1, tzinfo=UTC)
    # Enough facts per table that the Cell Key Method publishes them (20 and more), with
    # course types, reasons and outcomes among the row labels.
    facts = ([arrival(month, NAMED_DISTRICT, "A1") for _ in range(25)]
             + [placement(month, NAMED_DISTRICT, "0-30", waiting_weeks=3) for _ in range(22)]
             + [unmet_demand(month, NAMED_DISTRICT, kind) for kind in ("literacy", "youth")
                for _ in range(11)]
             + [waitlisted(month, NAMED_DISTRICT, reason)
                for reason in ("courses_full", "no_fitting_course") for _ in range(11)]
             + [course_outcome(month, NAMED_DISTRICT, "discontinued", "work")
                for _ in range(22)])
    facts = [fact.model_copy(update={"time": begins}) for fact in facts]
    clock = MovableClock(datetime(2026, 10, 20, 12, tzinfo=UTC))
    async with in_process("monitoring", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("monitoring"),
                          county_districts="03358,03359", clock=clock) as monitoring:
        await publish(kafka.bootstrap_servers, facts)
        await until_processed(monitoring, len(facts))
        clock.set(datetime(2026, 11, 10, tzinfo=UTC))
        for language in LANGUAGES:
            for path in ("/", f"/?district={NAMED_DISTRICT}"):
                separator = "&" if "?" in path else "?"
                response = await monitoring.client.get(f"{path}{separator}lang={language}")
                assert response.status_code == 200, (path, response.text)
                assert_words_only(response.text, path, language)
                assert "Landkreis Heidekreis" in response.text
                assert 'data-view="' in response.text, "no table was published"
