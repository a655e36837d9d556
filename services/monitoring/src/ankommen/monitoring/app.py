"""Monitoring's composition root: builds the service from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.sdk.trace import TracerProvider

from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.definition import DEFINITION
from ankommen.monitoring.domain.rules import PublicationRules
from ankommen.monitoring.entrypoints import consumers, http, limits, pages
from ankommen.shared.clock import Clock
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import load_settings
from ankommen.shared.web.pages import install_error_pages
from ankommen.shared.web.words import Places


def build_runtime(settings: MonitoringSettings | None = None,
                  tracer_provider: TracerProvider | None = None,
                  clock: Clock | None = None) -> MonitoringRuntime:
    """The runtime; ``clock`` is "now" for the consumer's bounds and for which periods are
    published (tests move it through months)."""
    settings = settings or load_settings(MonitoringSettings)
    runtime = ServiceRuntime(DEFINITION, settings, tracer_provider, clock)
    runtime.consume(consumers.facts(runtime, settings))
    return runtime


def create_app(settings: MonitoringSettings | None = None,
               tracer_provider: TracerProvider | None = None,
               clock: Clock | None = None,
               rules: PublicationRules | None = None) -> FastAPI:
    """The app. ``rules`` replaces the publication rules' switches (tests of the rules only:
    the settings cannot switch a rule off); the calendar comes from the settings."""
    settings = settings or load_settings(MonitoringSettings)
    runtime = build_runtime(settings, tracer_provider, clock)
    rules = (settings.publication_rules() if rules is None
             else rules.with_calendar(settings.closed_month_grace, settings.history_months))
    site = pages.create_pages(Places.of(settings))
    public = limits.PublicLimits(settings, site)
    app = runtime.create_app(public.guard([*http.routers, pages.router]))
    http.install(app, rules)
    pages.install(app, pages.Site(runtime, site, rules))
    public.install(app)
    # A browser that strays from the two pages gets a page, not problem details.
    install_error_pages(app, site)
    # The pages are public, so the shared frame's assets are mounted here rather than by
    # PageAuth.install (which would add a sign-in nobody needs).
    app.mount("/static/shared", StaticFiles(packages=[("ankommen.shared.web", "static")]),
              name="shared-static")
    app.mount("/static/monitoring", StaticFiles(packages=[("ankommen.monitoring", "static")]),
              name="monitoring-static")
    return app
