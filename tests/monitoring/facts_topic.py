"""Putting facts straight onto the real facts topic, as the producing services' relays do."""

from __future__ import annotations

import secrets
from datetime import datetime

from aiokafka import AIOKafkaProducer

from ankommen.shared.events import registry
from ankommen.shared.events.contracts.assignment import PlacementMadeFact
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.contracts.progress import ExamResultFact
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
