"""Intake's composition root: builds the service from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ankommen.intake.adapters.tables import messaging, metadata
from ankommen.intake.config import IntakeSettings
from ankommen.intake.entrypoints import http
from ankommen.shared.runtime import ServiceDefinition, ServiceRuntime
from ankommen.shared.settings import load_settings
from ankommen.shared.topics import CASES, FACTS

DEFINITION = ServiceDefinition(
    name="intake",
    title="ankommen intake",
    description="Records arrivals and the language & education survey once; issues the case "
                "pseudonym; publishes case events and de-identified facts.",
    metadata=metadata,
    tables=messaging,
    migrations="ankommen.intake:migrations",
    publishes=(CASES, FACTS),
)


def build_runtime(settings: IntakeSettings | None = None,
                  tracer_provider: TracerProvider | None = None) -> ServiceRuntime:
    return ServiceRuntime(DEFINITION, settings or load_settings(IntakeSettings), tracer_provider)


def create_app(settings: IntakeSettings | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider)
    return runtime.create_app([http.router(runtime)])
