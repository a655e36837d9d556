"""Progress's composition root: builds the service from its settings."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ankommen.progress.adapters.intake_contacts import IntakeContacts
from ankommen.progress.adapters.tables import parked_events
from ankommen.progress.config import ProgressRuntime, ProgressSettings
from ankommen.progress.definition import DEFINITION
from ankommen.progress.entrypoints import (
    consumers,
    http,
    pages,
    refused_pages,
    roster_pages,
    upload_pages,
)
from ankommen.progress.entrypoints.dependencies import ProviderSite
from ankommen.progress.service.refusals import refusal_purger
from ankommen.shared.clock import Clock
from ankommen.shared.messaging.parking import parked_events_purger
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import load_settings
from ankommen.shared.web.pages import Pages


def build_runtime(settings: ProgressSettings | None = None,
                  tracer_provider: TracerProvider | None = None,
                  clock: Clock | None = None) -> ProgressRuntime:
    """The runtime; ``clock`` is the service's "now" and "today" (tests move it)."""
    runtime = ServiceRuntime(DEFINITION, settings or load_settings(ProgressSettings),
                             tracer_provider, clock)
    runtime.consume(consumers.case_events(runtime))
    runtime.consume(consumers.course_events(runtime))
    runtime.consume(consumers.placement_events(runtime))
    runtime.consume(consumers.provider_reports(runtime))
    runtime.run_in_background("parked-events-purge", parked_events_purger(
        runtime.sessions, parked_events,
        timedelta(days=runtime.settings.parked_event_retention_days)))
    runtime.run_in_background("refused-reports-purge", refusal_purger(
        runtime.uow, runtime.settings.refused_report_retention_days))
    return runtime


def create_app(settings: ProgressSettings | None = None,
               tracer_provider: TracerProvider | None = None,
               clock: Clock | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider, clock)
    provider_pages = Pages("ankommen.progress", service_title="Fortschritt",
                           navigation=[("/", "nav.participants"), ("/upload", "nav.upload"),
                                       ("/refused", "nav.refused")])
    page_auth = runtime.page_auth(provider_pages)
    settings = runtime.settings
    intake = IntakeContacts(str(settings.intake_url) if settings.intake_url else None,
                            settings.intake_timeout_seconds)
    app = runtime.create_app([*http.routers(settings), pages.router, roster_pages.router,
                              refused_pages.router, *upload_pages.routers(settings)])
    ProviderSite(provider_pages, page_auth, intake,
                 upload_pages.pending_uploads(runtime)).install(app)
    page_auth.install(app)
    return app
