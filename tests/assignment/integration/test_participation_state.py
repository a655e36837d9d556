"""Assignment's half of the one participation state machine (docs/participation.md): progress's
events move a placement confirmed → enrolled → completed | discontinued and retractions move
it back; anything that contradicts the machine changes nothing (a late enrolment after a
withdrawal: withdrawal wins). Assignment never takes back an enrolled placement — neither
when the case closes nor when the course is cancelled — and a decline of one is refused."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import date

import pytest

from ankommen.assignment.domain.placement import PlacementRecord, PlacementStatus
from ankommen.assignment.service import handlers
from ankommen.shared.events import registry
from ankommen.shared.events.contracts.intake import CaseClosed, ClosureReason, Survey
from ankommen.shared.events.contracts.progress import (
    CorrectionAction,
    CourseCompleted,
    CourseDiscontinued,
    DiscontinuationReason,
    ParticipantEnrolled,
    ReportCorrected,
    ReportKind,
)
from ankommen.shared.events.envelope import EventData
from ankommen.shared.events.registry import DecodedEvent
from tests.assignment.support import COORDINATOR, course_body
from tests.support.services import RunningService, in_process
from tests.support.surveys import survey

DAY = date(2026, 11, 2)


def placement(course_id: str, status: PlacementStatus, pseudonym: str | None = None
              ) -> PlacementRecord:
    return PlacementRecord(
        placement_id=uuid.uuid4().hex, pseudonym=pseudonym or secrets.token_urlsafe(24),
        course_id=course_id, provider_id="vhs-heidekreis",
        referral_code="T" + secrets.token_hex(4).upper(), status=status, offered_on=DAY,
        waiting_since=DAY, childcare=False, explanation={})


async def seed(service: RunningService, *records: PlacementRecord) -> None:
    async with service.runtime.uow() as uow:
        for record in records:
            await uow.placements.add(record)
        await uow.commit()


async def status_of(service: RunningService, record: PlacementRecord) -> PlacementStatus:
    async with service.runtime.uow() as uow:
        found = await uow.placements.get(record.placement_id)
    assert found is not None
    return found.status


async def apply(service: RunningService, data: EventData, *, source: str = "/ankommen/progress"
                ) -> str:
    """Run the handler the consumer runs for ``data``; the event's id."""
    envelope = registry.envelope(data, source=source)
    table = {**handlers.PARTICIPATION_EVENTS, **handlers.CASE_EVENTS}
    async with service.runtime.uow() as uow:
        await table[type(data)](uow, DecodedEvent(envelope=envelope, data=data))
        await uow.commit()
    return envelope.id


def common(record: PlacementRecord, report_id: str, corrects: str | None = None) -> dict:
    return {"pseudonym": record.pseudonym, "referral_code": record.referral_code,
            "course_id": record.course_id, "report_id": report_id,
            "corrects_report_id": corrects}


def retracted(record: PlacementRecord, kind: ReportKind, original: str) -> ReportCorrected:
    return ReportCorrected(**common(record, f"undo-{original}", original),
                           action=CorrectionAction.RETRACTED, original_kind=kind)


@pytest.fixture
async def assignment(kafka, sqlite_databases):  # noqa: ANN001, ANN201
    async with in_process("assignment", bootstrap=kafka.bootstrap_servers,
                          database_url=await sqlite_databases.url("assignment")) as service:
        yield service


async def test_progress_events_and_retractions_walk_a_placement_through_the_machine(
        assignment, caplog):  # noqa: ANN001
    course_id = f"c-{uuid.uuid4().hex[:6]}"
    walked = placement(course_id, PlacementStatus.CONFIRMED)
    offered = placement(course_id, PlacementStatus.OFFERED)
    withdrawn = placement(course_id, PlacementStatus.WITHDRAWN)
    await seed(assignment, walked, offered, withdrawn)

    steps = [
        (ParticipantEnrolled(**common(walked, "e1"), started_on=DAY), PlacementStatus.ENROLLED),
        (retracted(walked, ReportKind.ENROLMENT, "e1"), PlacementStatus.CONFIRMED),
        (ParticipantEnrolled(**common(walked, "e2"), started_on=DAY), PlacementStatus.ENROLLED),
        # A corrected start day keeps the person enrolled.
        (ParticipantEnrolled(**common(walked, "e3", "e2"), started_on=DAY),
         PlacementStatus.ENROLLED),
        (CourseCompleted(**common(walked, "c1"), completed_on=DAY), PlacementStatus.COMPLETED),
        (retracted(walked, ReportKind.COMPLETION, "c1"), PlacementStatus.ENROLLED),
        (CourseDiscontinued(**common(walked, "d1"), discontinued_on=DAY,
                            reason=DiscontinuationReason.WORK), PlacementStatus.DISCONTINUED),
        (retracted(walked, ReportKind.DISCONTINUATION, "d1"), PlacementStatus.ENROLLED),
        # Retracting an attendance report changes no status.
        (retracted(walked, ReportKind.ATTENDANCE, "a1"), PlacementStatus.ENROLLED),
    ]
    for data, expected in steps:
        await apply(assignment, data)
        assert await status_of(assignment, walked) is expected, data

    # Contradictions change nothing and are logged with the event's id: an enrolment of an
    # offer nobody confirmed, and every report of a placement withdrawn meanwhile (the race).
    caplog.set_level(logging.INFO, logger=handlers.__name__)
    ignored = [await apply(assignment, ParticipantEnrolled(**common(offered, "x1"),
                                                           started_on=DAY))]
    for data in (ParticipantEnrolled(**common(withdrawn, "w1"), started_on=DAY),
                 CourseCompleted(**common(withdrawn, "w2"), completed_on=DAY),
                 CourseDiscontinued(**common(withdrawn, "w3"), discontinued_on=DAY,
                                    reason=DiscontinuationReason.WORK),
                 retracted(withdrawn, ReportKind.ENROLMENT, "w1")):
        ignored.append(await apply(assignment, data))
    assert await status_of(assignment, offered) is PlacementStatus.OFFERED
    assert await status_of(assignment, withdrawn) is PlacementStatus.WITHDRAWN
    logged = {getattr(record, "event_id", None) for record in caplog.records}
    assert set(ignored) <= logged


async def test_enrolled_placements_survive_case_closure_and_cancellation_and_refuse_a_decline(
        assignment):  # noqa: ANN001
    created = await assignment.client.post("/courses", headers=COORDINATOR,
                                           json=course_body(f"c-{uuid.uuid4().hex[:6]}"))
    assert created.status_code == 201, created.text
    course_id = created.json()["course_id"]
    closing = secrets.token_urlsafe(24)
    async with assignment.runtime.uow() as uow:
        await uow.cases.add_all([(closing, Survey(**survey()), DAY)])
        await uow.commit()
    enrolled_closing = placement(course_id, PlacementStatus.ENROLLED, closing)
    confirmed_closing = placement(f"c-other-{uuid.uuid4().hex[:6]}", PlacementStatus.CONFIRMED,
                                  closing)
    offered, confirmed, enrolled = (placement(course_id, status) for status in (
        PlacementStatus.OFFERED, PlacementStatus.CONFIRMED, PlacementStatus.ENROLLED))
    await seed(assignment, enrolled_closing, confirmed_closing, offered, confirmed, enrolled)

    await apply(assignment, CaseClosed(pseudonym=closing, closed_on=DAY,
                                       reason=ClosureReason.MOVED_AWAY),
                source="/ankommen/intake")
    assert await status_of(assignment, confirmed_closing) is PlacementStatus.WITHDRAWN
    assert await status_of(assignment, enrolled_closing) is PlacementStatus.ENROLLED

    declined = await assignment.client.post(f"/placements/{enrolled.placement_id}/decline",
                                            headers=COORDINATOR)
    assert declined.status_code == 409, declined.text
    assert declined.json()["errors"][0]["field"] == "status"

    cancelled = await assignment.client.post(f"/courses/{course_id}/cancel",
                                             headers=COORDINATOR)
    assert cancelled.status_code == 200, cancelled.text
    assert [await status_of(assignment, record) for record in (
        offered, confirmed, enrolled, enrolled_closing)] == [
        PlacementStatus.WITHDRAWN, PlacementStatus.WITHDRAWN, PlacementStatus.ENROLLED,
        PlacementStatus.ENROLLED]
