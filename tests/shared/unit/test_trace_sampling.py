"""Tracing samples by default in production (issue 21: recording every request cost 10–12 %
of intake's CPU): a parent-based ratio sampler, so a trace is whole or absent across services."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from ankommen.shared.settings import PRODUCTION_TRACE_SAMPLE_RATIO, CommonSettings, Profile
from ankommen.shared.telemetry import create_tracer_provider


def recorded(ratio: float, parent_sampled: bool | None) -> list[str]:
    provider = create_tracer_provider("intake", None, ratio)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    context = None
    if parent_sampled is not None:
        parent = SpanContext(trace_id=0x1234, span_id=0x42, is_remote=True,
                             trace_flags=TraceFlags(TraceFlags.SAMPLED if parent_sampled
                                                    else TraceFlags.DEFAULT))
        context = trace.set_span_in_context(NonRecordingSpan(parent))
    for index in range(20):
        with provider.get_tracer("test").start_as_current_span(f"span-{index}", context=context):
            pass
    return [span.name for span in exporter.get_finished_spans()]


def test_a_root_span_draws_against_the_ratio():
    assert len(recorded(1.0, None)) == 20
    assert recorded(0.0, None) == []


def test_a_span_follows_its_callers_decision_whatever_the_ratio():
    assert len(recorded(0.0, parent_sampled=True)) == 20
    assert recorded(1.0, parent_sampled=False) == []


def test_production_samples_unless_told_otherwise_and_development_records_everything():
    def ratio(profile: Profile, setting: float | None) -> float:
        return CommonSettings.model_construct(profile=profile,
                                              trace_sample_ratio=setting).sample_ratio()

    assert ratio(Profile.PRODUCTION, None) == PRODUCTION_TRACE_SAMPLE_RATIO == 0.1
    assert ratio(Profile.DEVELOPMENT, None) == 1.0
    assert ratio(Profile.PRODUCTION, 0.5) == 0.5
