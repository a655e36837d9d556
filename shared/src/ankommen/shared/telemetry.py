"""Tracing and structured logs.

One trace follows a case across services: the FastAPI request span, the outbox row (which
stores the trace context), the relay's publish, the Kafka headers (W3C ``traceparent``) and the
consumer span in the other service. Spans go to an OTLP collector when
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; tests hand in their own provider with an in-memory
exporter.

Logs are JSON lines carrying the trace and span ids, so a log line can be found from a trace and
back. Log calls pass identifiers and reasons only, never survey answers or identity.
"""

from __future__ import annotations

import logging
import sys

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from pythonjsonlogger.json import JsonFormatter


def create_tracer_provider(service_name: str, otlp_endpoint: str | None,
                           sample_ratio: float = 1.0) -> TracerProvider:
    """The service's tracer provider. Sampling is parent-based: a span whose parent (an HTTP
    ``traceparent`` or a Kafka header) was sampled is recorded, one whose parent was not is
    not, and only a trace's root draws against ``sample_ratio`` (by its trace id, so every
    service decides the same for the same trace)."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"ankommen-{service_name}",
                                  "service.namespace": "ankommen"}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


class TraceContextFilter(logging.Filter):
    """Adds the current trace and span id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True


def configure_logging(service_name: str, level: str = "INFO") -> None:
    """JSON logs on stderr for the whole process (uvicorn and FastStream included)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        static_fields={"service": service_name},
    ))
    handler.addFilter(TraceContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
