"""Putting facts straight onto the real facts topic, as the producing services' relays do."""

from __future__ import annotations

import secrets
from datetime import datetime

from aiokafka import AIOKafkaProducer

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import (
    CourseCapacityFact,
    CourseTransitionFact,
    DemandUnmetFact,
    PlacementMadeFact,
    WaitlistedFact,
)
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.identity.auth import Role
from ankommen.shared.messaging.topics import FACTS
from tests.support.event_examples import owners_source
from tests.support.polling import eventually
from tests.support.services import token


def envelope_of(fact: Fact, published_at: datetime | None = None) -> Envelope:
    envelope = registry.envelope(fact, source=owners_source(fact))
    return envelope.model_copy(update={"time": published_at}) if published_at else envelope


def arrival(month: str, district: str, german_level: str = "A1",
            published_at: datetime | None = None, **attributes: object) -> Envelope:
    survey = {"age_band": "27_to_44", "gender": "female", "reads_latin_script": True,
              "schooling_band": "10_to_12", "needs_childcare": False,
              "residence_status": "recognised_refugee", **attributes}
    return envelope_of(ArrivalRecorded(record_key=secrets.token_hex(16), month=month,
                                       district=district, german_level=german_level, **survey),
                       published_at)


def placement(month: str, district: str, waiting_days: str = "0-30",
              waiting_weeks: int | None = 3, next_course: bool = False) -> Envelope:
    return envelope_of(PlacementMadeFact(record_key=secrets.token_hex(16), month=month,
                                         district=district, course_type="general_integration",
                                         waiting_days=waiting_days, waiting_weeks=waiting_weeks,
                                         next_course=next_course))


def unmet_demand(month: str, district: str, course_type_wanted: str = "literacy",
                 reason: str = "no_fitting_course") -> Envelope:
    return envelope_of(DemandUnmetFact(record_key=secrets.token_hex(16), month=month,
                                       district=district, course_type_wanted=course_type_wanted,
                                       reason=reason))


def transition(month: str, district: str, weeks_between: str = "0-6") -> Envelope:
    return envelope_of(CourseTransitionFact(
        record_key=secrets.token_hex(16), month=month, district=district,
        from_course_type="general_integration", to_course_type="job_related_b2",
        weeks_between=weeks_between))


def capacity(month: str, district: str, offered: int, taken: int,
             course_type: str = "general_integration",
             published_at: datetime | None = None, sequence: int | None = None) -> Envelope:
    return envelope_of(CourseCapacityFact(record_key=secrets.token_hex(16), month=month,
                                          district=district, course_type=course_type,
                                          seats_offered=offered, seats_taken=taken,
                                          sequence=sequence),
                       published_at)


def dtz_exam(month: str, district: str, level_reached: str) -> Envelope:
    return envelope_of(ExamResultFact(record_key=secrets.token_hex(16), month=month,
                                      district=district, exam="dtz", outcome="passed",
                                      level_reached=level_reached,
                                      course_type="general_integration"))


def waitlisted(month: str, district: str, reason: str = "courses_full") -> Envelope:
    return envelope_of(WaitlistedFact(record_key=secrets.token_hex(16), month=month,
                                      district=district, reason=reason, waiting_days="0-30"))


def course_outcome(month: str, district: str, outcome: str = "completed",
                   discontinuation_reason: str | None = None) -> Envelope:
    return envelope_of(CourseOutcomeFact(
        record_key=secrets.token_hex(16), month=month, district=district, outcome=outcome,
        discontinuation_reason=discontinuation_reason, attendance_band="at_least_90",
        exam_outcome="passed" if outcome == "completed" else "not_taken",
        level_reached="B1" if outcome == "completed" else None,
        level_at_start="A2" if outcome == "completed" else None,
        course_type="general_integration", weeks_in_course=30))


async def publish(bootstrap: str, envelopes: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send(FACTS.name, envelope.to_bytes(),
                                key=envelope.data["record_key"].encode())
        await producer.flush()
    finally:
        await producer.stop()


async def until_processed(monitoring, count: int) -> None:  # noqa: ANN001 - a RunningService
    """Wait until monitoring reports ``count`` facts processed (its ``/status``)."""

    async def processed() -> int:
        response = await monitoring.client.get("/status", headers=token(Role.ADMIN))
        return response.json()["facts_processed"]

    await eventually(processed, until=lambda n: n == count, timeout=60,
                     what=f"{count} facts processed")
