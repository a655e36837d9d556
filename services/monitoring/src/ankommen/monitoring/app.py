"""Monitoring's composition root: builds the service from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ankommen.monitoring.adapters.tables import messaging, metadata
from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.entrypoints import consumers, http
from ankommen.shared.runtime import ServiceDefinition, ServiceRuntime
from ankommen.shared.settings import load_settings

DEFINITION = ServiceDefinition(
    name="monitoring",
    title="ankommen monitoring",
    description="Owns only anonymous aggregates built from de-identified facts; serves "
                "statistics.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.monitoring:migrations",
)


def build_runtime(settings: MonitoringSettings | None = None,
                  tracer_provider: TracerProvider | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(DEFINITION, settings or load_settings(MonitoringSettings),
                             tracer_provider)
    runtime.consume(consumers.facts(runtime))
    return runtime


def create_app(settings: MonitoringSettings | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider)
    return runtime.create_app([http.router(runtime)])
