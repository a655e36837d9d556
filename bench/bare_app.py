"""B3's baseline: the least an HTTP registration endpoint can do — FastAPI under uvicorn, the
same JSON body, one row inserted through the same engine factory (and so the same SQLite
pragmas or PostgreSQL pool) as the services use, committed per request. No encryption, no
duplicate check, no outbox.

``uvicorn bench.bare_app:create_app --factory`` with ``BENCH_DATABASE_URL`` set."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Body, FastAPI, status
from sqlalchemy import Column, MetaData, String, Table, Text

from ankommen.shared.db.engine import create_engine

metadata = MetaData()
registrations = Table("registrations", metadata, Column("id", String(32), primary_key=True),
                      Column("body", Text, nullable=False))


def create_app() -> FastAPI:
    engine = create_engine(os.environ["BENCH_DATABASE_URL"])

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str | bool]:
        # Answers like a service's /readyz; it has no broker, so there is nothing to wait for.
        return {"status": "ready", "connected": True}

    @app.post("/cases", status_code=status.HTTP_201_CREATED)
    async def register(body: dict[str, Any] = Body()) -> dict[str, str]:
        row_id = uuid.uuid4().hex
        async with engine.begin() as connection:
            await connection.execute(registrations.insert().values(id=row_id,
                                                                   body=json.dumps(body)))
        return {"case_id": row_id}

    return app
