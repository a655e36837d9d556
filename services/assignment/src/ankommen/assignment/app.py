"""Assignment's composition root: builds the service from its settings."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ankommen.assignment.adapters.tables import parked_events
from ankommen.assignment.config import AssignmentRuntime, AssignmentSettings
from ankommen.assignment.definition import DEFINITION
from ankommen.assignment.entrypoints import consumers, http, pages
from ankommen.assignment.service.schedule import scheduled_rounds
from ankommen.shared.clock import Clock
from ankommen.shared.messaging.parking import parked_events_purger
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import load_settings


def build_runtime(settings: AssignmentSettings | None = None,
                  tracer_provider: TracerProvider | None = None,
                  clock: Clock | None = None) -> AssignmentRuntime:
    """The runtime; ``clock`` is the service's "now" and "today" (tests move it)."""
    runtime = ServiceRuntime(DEFINITION, settings or load_settings(AssignmentSettings),
                             tracer_provider, clock)
    runtime.consume(consumers.case_events(runtime))
    runtime.consume(consumers.participation_events(runtime))
    runtime.run_in_background("parked-events-purge", parked_events_purger(
        runtime.sessions, parked_events,
        timedelta(days=runtime.settings.parked_event_retention_days)))
    settings = runtime.settings
    if settings.allocation_interval_minutes > 0:
        runtime.run_in_background("allocation-rounds", scheduled_rounds(
            runtime.uow, settings.allocation_policy, settings.allocation_interval_minutes * 60))
    return runtime


def create_app(settings: AssignmentSettings | None = None,
               tracer_provider: TracerProvider | None = None,
               clock: Clock | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider, clock)
    app = runtime.create_app([http.router])
    pages.install(app, runtime)
    return app
