"""Logs are JSON lines that carry the trace and span id of the work they describe."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from ankommen.shared.telemetry import configure_logging


def test_log_lines_are_json_with_service_and_trace_ids(capsys):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("intake", "INFO")
        tracer = TracerProvider().get_tracer("test")
        with tracer.start_as_current_span("work") as span:
            logging.getLogger("ankommen.test").info("case registered", extra={"event_id": "e1"})
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert line["message"] == "case registered"
    assert line["service"] == "intake"
    assert line["level"] == "INFO"
    assert line["event_id"] == "e1"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["span_id"] == format(span.get_span_context().span_id, "016x")
