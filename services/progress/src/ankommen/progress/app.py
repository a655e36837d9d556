"""Progress's composition root: builds the service from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ankommen.progress.adapters.tables import messaging, metadata
from ankommen.progress.config import ProgressSettings
from ankommen.progress.entrypoints import consumers, http
from ankommen.shared.runtime import ServiceDefinition, ServiceRuntime
from ankommen.shared.settings import load_settings

DEFINITION = ServiceDefinition(
    name="progress",
    title="ankommen progress tracking",
    description="Owns what course providers report and validates each report against its "
                "placement.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.progress:migrations",
)


def build_runtime(settings: ProgressSettings | None = None,
                  tracer_provider: TracerProvider | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(DEFINITION, settings or load_settings(ProgressSettings),
                             tracer_provider)
    runtime.consume(consumers.case_events(runtime))
    return runtime


def create_app(settings: ProgressSettings | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider)
    return runtime.create_app([http.router(runtime)])
