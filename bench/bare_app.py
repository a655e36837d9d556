"""B3's baseline: the least an HTTP registration endpoint can do behind what every service
puts in front of its endpoints — FastAPI under uvicorn with the services' problem handlers,
security middleware (:func:`harden`), OpenTelemetry instrumentation and the bearer-token check
of the intake staff role — then the same JSON body as one row inserted through the same engine
factory (and so the same SQLite pragmas or PostgreSQL pool) as the services use, committed per
request. No validation of the body, no encryption, no duplicate check, no outbox: what intake
spends beyond this is its own work (issue 21 sets the target against this baseline).

``python -m bench.serve_app bench.bare_app:create_app FD`` with ``BENCH_DATABASE_URL`` set."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, ClassVar

from fastapi import Body, FastAPI, status
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, MetaData, String, Table, Text

from ankommen.shared.db.engine import create_engine
from ankommen.shared.errors import install_problem_handlers
from ankommen.shared.identity.auth import Authenticator, Principal, Role
from ankommen.shared.runtime import token_verifier
from ankommen.shared.settings import ServiceSettings
from ankommen.shared.telemetry import create_tracer_provider
from ankommen.shared.web.hardening import harden

metadata = MetaData()
registrations = Table(
    "registrations", metadata, Column("id", String(32), primary_key=True),
    Column("body", Text, nullable=False))


class BareSettings(ServiceSettings):
    """The settings every service has (token keys, CSRF secret, limits, telemetry)."""

    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_BARE_", extra="ignore")
    service_name: ClassVar[str] = "bare"


def create_app() -> FastAPI:
    engine = create_engine(os.environ["BENCH_DATABASE_URL"])
    settings = BareSettings()
    auth = Authenticator(token_verifier(settings))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    harden(app, secret=settings.csrf_secret.get_secret_value(),
           secure_cookies=settings.cookies_secure, max_body_size=settings.max_request_bytes,
           trusted_proxies=settings.trusted_proxy_networks)
    staff = auth.require(Role.INTAKE_STAFF)

    @app.get("/readyz")
    async def ready() -> dict[str, str | bool]:
        # Answers like a service's /readyz; it has no broker, so there is nothing to wait for.
        return {"status": "ready", "connected": True}

    @app.post("/cases", status_code=status.HTTP_201_CREATED)
    async def register(body: Annotated[dict[str, Any], Body()],
                       actor: Principal = staff) -> dict[str, str]:
        row_id = uuid.uuid4().hex
        async with engine.begin() as connection:
            await connection.execute(registrations.insert().values(id=row_id,
                                                                   body=json.dumps(body)))
        return {"case_id": row_id}

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=create_tracer_provider(settings.service_name,
                                                    settings.otlp_endpoint,
                                                    settings.sample_ratio()),
        excluded_urls="healthz,readyz")
    return app
