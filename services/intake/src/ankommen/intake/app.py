"""Intake's composition root: builds the service from its settings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.sdk.trace import TracerProvider

from ankommen.intake.config import IntakeRuntime, IntakeSettings
from ankommen.intake.definition import DEFINITION
from ankommen.intake.entrypoints import (
    case_pages,
    consumers,
    dependencies,
    http,
    letters,
    pages,
    review_pages,
)
from ankommen.intake.service.protection import IdentityProtection
from ankommen.intake.service.register_arrival import PossibleDuplicates
from ankommen.shared.clock import Clock
from ankommen.shared.errors import add_error_handler
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import load_settings
from ankommen.shared.web.pages import Pages


def build_runtime(settings: IntakeSettings | None = None,
                  tracer_provider: TracerProvider | None = None,
                  clock: Clock | None = None) -> IntakeRuntime:
    """The runtime; ``clock`` is the service's "now" and "today" (tests move it)."""
    runtime = ServiceRuntime(DEFINITION, settings or load_settings(IntakeSettings),
                             tracer_provider, clock)
    runtime.consume(consumers.course_events(runtime))
    runtime.consume(consumers.placement_events(runtime))
    runtime.consume(consumers.participation_events(runtime))
    return runtime


def create_app(settings: IntakeSettings | None = None,
               tracer_provider: TracerProvider | None = None,
               clock: Clock | None = None) -> FastAPI:
    runtime = build_runtime(settings, tracer_provider, clock)
    protection = IdentityProtection.from_settings(runtime.settings)
    staff_pages = Pages("ankommen.intake", service_title="Erfassung",
                        navigation=[("/", "nav.register"), ("/ui/cases", "casework.nav.search"),
                                    ("/ui/duplicates", "casework.nav.duplicates")])
    page_auth = runtime.page_auth(staff_pages)
    app = runtime.create_app([http.router,
                              pages.router,
                              case_pages.router,
                              review_pages.router,
                              letters.router])
    dependencies.install(app, runtime, protection, staff_pages)
    add_error_handler(app, PossibleDuplicates, http.possible_duplicates)
    page_auth.install(app)
    pages.install(page_auth)
    case_pages.install(app, staff_pages, page_auth, runtime.settings.municipalities())
    app.mount("/static/intake", StaticFiles(packages=[("ankommen.intake", "static")]),
              name="intake-static")
    return app
