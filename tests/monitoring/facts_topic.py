"""Putting facts straight onto the real facts topic, as the producing services' relays do."""

from __future__ import annotations

import secrets
from datetime import datetime

from aiokafka import AIOKafkaProducer

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import PlacementMadeFact, WaitlistedFact
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import CourseOutcomeFact, ExamResultFact
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.topics import FACTS


def envelope_of(fact: Fact, published_at: datetime | None = None) -> Envelope:
    envelope = registry.envelope(fact, source="/tests")
    return envelope.model_copy(update={"time": published_at}) if published_at else envelope


def arrival(month: str, district: str, german_level: str = "A1",
            published_at: datetime | None = None, **attributes: object) -> Envelope:
    survey = {"age_band": "27_to_44", "gender": "female", "reads_latin_script": True,
              "schooling_band": "10_to_12", "needs_childcare": False,
              "residence_status": "recognised_refugee", **attributes}
    return envelope_of(ArrivalRecorded(record_key=secrets.token_hex(16), month=month,
                                       district=district, german_level=german_level, **survey),
                       published_at)


def placement(month: str, district: str, waiting_days: str = "0-30") -> Envelope:
    return envelope_of(PlacementMadeFact(record_key=secrets.token_hex(16), month=month,
                                         district=district, course_type="general_integration",
                                         waiting_days=waiting_days))


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
