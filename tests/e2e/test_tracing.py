"""One trace covers a registration from intake's HTTP request through the outbox relay and
Kafka to the consumer in assignment (W3C trace context in the Kafka headers). Assignment
consumes the cases topic in batches: as the OpenTelemetry messaging conventions prescribe for
batches, the batch's span starts a trace of its own with a link to each message's trace."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from ankommen.shared.auth import Role
from ankommen.shared.topics import CASES
from tests.support.polling import eventually
from tests.support.services import in_process, token
from tests.support.surveys import registration


async def test_one_trace_spans_intake_request_and_assignment_consumer(kafka, sqlite_databases):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    common = {"bootstrap": kafka.bootstrap_servers, "tracer_provider": provider}
    async with (
        in_process("intake", database_url=await sqlite_databases.url("intake"),
                   **common) as intake,
        in_process("assignment", database_url=await sqlite_databases.url("assignment"),
                   **common),
    ):
        response = await intake.client.post(
            "/cases", json=registration(german_level="B1"),
            headers=token(Role.INTAKE_STAFF))
        assert response.status_code == 201

        def request_span():  # noqa: ANN202
            return next(span for span in exporter.get_finished_spans()
                        if span.kind is SpanKind.SERVER and span.name == "POST /cases")

        async def consumer_spans() -> list:
            trace_id = request_span().context.trace_id
            spans = [span for span in exporter.get_finished_spans()
                     if span.kind is SpanKind.CONSUMER]
            # The batch's "create" span links to the request's trace; "process" is its child.
            batch_traces = {span.context.trace_id for span in spans
                            if span.name == f"{CASES.name} create"
                            and trace_id in {link.context.trace_id for link in span.links}}
            return [span for span in spans if span.name == f"{CASES.name} process"
                    and span.context.trace_id in batch_traces | {trace_id}]

        spans = await eventually(consumer_spans,
                                 what="assignment's consumer span in or linked to the trace")
    assert spans[0].attributes["messaging.destination_publish.name"] == CASES.name
    # Keys are pseudonyms; no span records them.
    assert all("messaging.kafka.message.key" not in span.attributes
               for span in exporter.get_finished_spans())
    published = [span for span in exporter.get_finished_spans()
                 if span.kind is SpanKind.PRODUCER and span.name == f"{CASES.name} publish"]
    assert any(span.context.trace_id == request_span().context.trace_id for span in published)
    # The fact for monitoring starts a trace of its own: a shared trace id would link it back
    # to the case.
    fact_publishes = [span for span in exporter.get_finished_spans()
                      if span.kind is SpanKind.PRODUCER and "facts" in span.name]
    assert fact_publishes
    assert all(span.context.trace_id != request_span().context.trace_id
               for span in fact_publishes)
