"""What ``UnitOfWork.publish`` stores per outbox row: the trace context of the moment each
event was published (computed once per context, but never shared across contexts), and none
for events that must not carry it; and the envelope time — the moment for a case event, the
month's start for a fact (issue 15: nothing on a fact may link it to its case event)."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, date, datetime

import pytest
from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData

from ankommen.shared.db.unit_of_work import UnitOfWork
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.contracts.intake import ArrivalFact, CaseRegistered, Survey
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.tables import messaging_tables
from tests.support.surveys import survey

TRACER = TracerProvider().get_tracer("tests")
INTAKE = "/ankommen/intake"


def unit() -> UnitOfWork:
    """A unit whose rows are only collected: ``publish`` itself touches no database."""
    return unit_of(INTAKE)


def unit_of(source: str) -> UnitOfWork:
    return UnitOfWork(None, messaging_tables(MetaData()), source,  # type: ignore[arg-type]
                      after_commit=lambda: None)


def registered() -> CaseRegistered:
    return CaseRegistered(pseudonym=secrets.token_urlsafe(24), survey=Survey(**survey()),
                          registered_on=date(2026, 11, 3))


def fact() -> ArrivalFact:
    return ArrivalFact(record_key=secrets.token_hex(16), month="2026-11", district="03358",
                       german_level="A1")


def injected() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def stored_headers(work: UnitOfWork) -> list[dict[str, str]]:
    return [json.loads(row["headers"]) for row in work._outbox_rows]


async def test_events_of_one_context_carry_its_traceparent():
    work = unit()
    with TRACER.start_as_current_span("request"):
        expected = injected()
        for _ in range(3):
            event = registered()
            await work.publish(event, key=event.pseudonym)
    assert expected["traceparent"]
    assert stored_headers(work) == [expected] * 3


async def test_each_event_carries_the_context_current_when_it_was_published():
    work = unit()
    seen = []
    with TRACER.start_as_current_span("batch"):
        for _ in range(2):
            with TRACER.start_as_current_span("message"):
                seen.append(injected())
                event = registered()
                await work.publish(event, key=event.pseudonym)
        seen.append(injected())
        event = registered()
        await work.publish(event, key=event.pseudonym)
    event = registered()
    await work.publish(event, key=event.pseudonym)
    assert len({headers["traceparent"] for headers in seen}) == 3
    assert stored_headers(work) == [*seen, {}]


async def test_facts_carry_no_trace_context():
    work = unit()
    with TRACER.start_as_current_span("request"):
        event = registered()
        await work.publish(event, key=event.pseudonym)
        anonymous = fact()
        await work.publish(anonymous, key=anonymous.record_key)
    first, second = stored_headers(work)
    assert "traceparent" in first
    assert second == {}


async def test_the_stored_event_names_its_kafka_key_and_leaves_unset_attributes_out():
    """The CloudEvents Kafka binding maps ``partitionkey`` to the record key: the outbox row's
    key and the envelope's must be one. A fact has no subject: it is left out, not ``null``."""
    work = unit()
    event, anonymous = registered(), fact()
    await work.publish(event, key=event.pseudonym, subject=event.pseudonym)
    await work.publish(anonymous, key=anonymous.record_key)
    for row in work._outbox_rows:
        stored = json.loads(row["payload"])
        assert stored["partitionkey"] == row["aggregate_id"]
        assert None not in (value for name, value in stored.items() if name != "data")
    assert "subject" not in json.loads(work._outbox_rows[1]["payload"])


async def test_a_fact_says_its_months_start_and_a_case_event_its_moment():
    work = unit()
    event, anonymous = registered(), fact()
    before = datetime.now(UTC)
    case_envelope = await work.publish(event, key=event.pseudonym)
    fact_envelope = await work.publish(anonymous, key=anonymous.record_key)

    assert case_envelope.time >= before  # the case event keeps its exact moment
    assert fact_envelope.time == datetime(2026, 11, 1, tzinfo=UTC)
    stored = [json.loads(row["payload"]) for row in work._outbox_rows]
    assert stored[1]["time"] == "2026-11-01T00:00:00Z"
    # The id stays random (a uuid4), not derived from the time or the case.
    assert uuid.UUID(fact_envelope.id).version == 4
    assert fact_envelope.id != case_envelope.id


def test_every_fact_type_has_a_month_to_be_stamped_with():
    fact_types = [model for model in registry.models.values() if issubclass(model, Fact)]
    assert fact_types
    for model in fact_types:
        assert "month" in model.model_fields, model.__name__


@pytest.mark.parametrize("source", ["/ankommen/assignment", "/ankommen/progress", "/tests"])
async def test_a_service_cannot_publish_a_type_it_does_not_own(source):
    event = registered()
    with pytest.raises(ValueError, match="case_registered.v1 is published by /ankommen/intake, "
                                         f"not by {source}"):
        await unit_of(source).publish(event, key=event.pseudonym)
    assert await unit_of(INTAKE).publish(event, key=event.pseudonym)
