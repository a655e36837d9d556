"""schemathesis over intake's OpenAPI: at least 200 generated cases per operation, none
answered with a server error. Intake runs for real (uvicorn, SQLite, broker), with one
registered case so that generated requests also reach the duplicate check."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from ankommen.intake.app import create_app
from ankommen.shared.auth import Role
from ankommen.shared.embedded import EmbeddedBroker, free_port
from ankommen.shared.topics import create_topics
from tests.support.services import settings_for, token
from tests.support.surveys import registration


@pytest.fixture(scope="module")
def served_intake(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """Intake on a real port in its own thread (schemathesis calls it synchronously)."""
    folder = tmp_path_factory.mktemp("intake-fuzzing")
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=folder / "broker.log").start()
    asyncio.run(create_topics(broker.bootstrap_servers))
    config = settings_for("intake", kafka_bootstrap_servers=broker.bootstrap_servers,
                          database_url=f"sqlite+aiosqlite:///{folder / 'intake.db'}",
                          migrate_on_startup=True)
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1",
                                           port=free_port(), log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "intake did not start"
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{server.config.port}"
    seeded = httpx.post(f"{base_url}/cases", json=registration(),
                        headers=token(Role.INTAKE_STAFF), timeout=30)
    assert seeded.status_code == 201, seeded.text
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(30)
        broker.stop()


def fuzz(operation, base_url: str, cases: dict[str, int]) -> None:  # noqa: ANN001
    """200 generated cases against one operation, with a token that may call it."""
    label = f"{operation.method.upper()} {operation.path}"
    headers = token(Role.ADMIN if operation.path == "/audit" else Role.INTAKE_STAFF)

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def answers_without_server_error(case) -> None:  # noqa: ANN001
        cases[label] = cases.get(label, 0) + 1
        response = case.call(base_url=base_url, headers=headers)
        assert response.status_code < 500, (label, response.text[:500])

    answers_without_server_error()


def test_no_intake_operation_answers_with_a_server_error(served_intake):  # noqa: ANN001
    schema = schemathesis.openapi.from_url(f"{served_intake}/openapi.json")
    cases: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        # Health endpoints are the shared runtime's; /readyz answers 503 by design while the
        # broker connection is still being made.
        if operation.path not in ("/healthz", "/readyz"):
            fuzz(operation, served_intake, cases)
    assert len(cases) >= 11 and all(count >= 200 for count in cases.values()), cases
