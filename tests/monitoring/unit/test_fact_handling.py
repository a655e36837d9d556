"""Recording a fact: contributions go to their cells, closed months stay frozen, fact types
without contributions are counted as unused."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ankommen.monitoring.adapters.repository import Outcome
from ankommen.monitoring.domain.cells import record_key_value
from ankommen.monitoring.service.handlers import apply_fact
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalRecorded
from ankommen.shared.events.envelope import Envelope
from ankommen.shared.events.registry import DecodedEvent

GRACE = timedelta(days=5)


class RecordingAggregates:
    """Stands in for the repository: remembers what the use case asked for."""

    def __init__(self) -> None:
        self.added: list = []
        self.recorded: list = []

    async def add(self, contribution, key) -> None:  # noqa: ANN001
        self.added.append((contribution, key))

    async def record_fact(self, fact_type, published_at, outcome) -> None:  # noqa: ANN001
        self.recorded.append((fact_type, published_at, outcome))


class CourseWishFact(Fact):
    """A fact type monitoring has no contributions for (deliberately not registered)."""

    event_type: ClassVar[str] = "ankommen.tests.course_wish_fact.v1"


def arrival_recorded() -> ArrivalRecorded:
    return ArrivalRecorded(record_key=secrets.token_hex(16), month="2026-10", district="03358",
                           german_level="A2", age_band="27_to_44", gender="female",
                           reads_latin_script=True, schooling_band="10_to_12",
                           needs_childcare=False, residence_status="other")


def decoded(fact: Fact, published_at: datetime) -> DecodedEvent:
    envelope = Envelope(type=fact.event_type, source="/tests", time=published_at,
                        data=fact.model_dump(mode="json"))
    return DecodedEvent(envelope=envelope, data=fact)


async def test_an_arrival_adds_one_to_its_cell_with_its_record_key():
    fact = arrival_recorded()
    aggregates = RecordingAggregates()
    await apply_fact(aggregates, decoded(fact, datetime(2026, 10, 3, tzinfo=UTC)), GRACE)
    [(contribution, key)] = aggregates.added
    assert (contribution.measure, contribution.month, contribution.district) == (
        "arrivals", "2026-10", "03358")
    assert contribution.dimensions["german_level"] == "A2"
    assert key == record_key_value(fact.record_key)
    assert aggregates.recorded[0][2] is Outcome.APPLIED


async def test_a_fact_for_a_closed_month_is_counted_late_and_added_nowhere():
    fact = arrival_recorded()
    aggregates = RecordingAggregates()
    await apply_fact(aggregates, decoded(fact, datetime(2026, 11, 9, tzinfo=UTC)), GRACE)
    assert aggregates.added == []
    assert aggregates.recorded[0][2] is Outcome.LATE


async def test_a_fact_type_without_contributions_is_counted_as_unused():
    aggregates = RecordingAggregates()
    moment = datetime(2026, 11, 9, 8, tzinfo=UTC)
    await apply_fact(aggregates, decoded(CourseWishFact(record_key=secrets.token_hex(16)),
                                         moment), GRACE)
    assert aggregates.added == []
    assert aggregates.recorded == [("ankommen.tests.course_wish_fact.v1", moment,
                                    Outcome.UNUSED)]
