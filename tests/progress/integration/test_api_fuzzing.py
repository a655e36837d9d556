"""schemathesis over progress's OpenAPI: at least 200 generated cases per operation, none
answered with a server error. The service runs for real (uvicorn, SQLite, broker)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from ankommen.progress.app import create_app
from ankommen.shared.auth import Role
from ankommen.shared.embedded import free_port
from tests.progress.integration.catalogue import catalogue_events, record_directly
from tests.support.services import RunningService, settings_for, token


@pytest.fixture(scope="module")
def served_progress(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """Progress on a real port in its own thread (schemathesis calls it synchronously),
    with one placement so that some generated reports reach the validation rules."""
    from ankommen.shared.embedded import EmbeddedBroker
    from ankommen.shared.topics import create_topics

    folder = tmp_path_factory.mktemp("fuzzing")
    broker = EmbeddedBroker("127.0.0.1", free_port(), log_file=folder / "broker.log").start()
    asyncio.run(create_topics(broker.bootstrap_servers))
    config = settings_for("progress", kafka_bootstrap_servers=broker.bootstrap_servers,
                          database_url=f"sqlite+aiosqlite:///{folder / 'progress.db'}",
                          migrate_on_startup=True)
    app = create_app(config)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "progress did not start"
        time.sleep(0.05)
    events, _ = catalogue_events("vhs-a", ["REF-FUZZ01"])
    runtime_service = RunningService("progress", None, app.state.runtime)
    future = asyncio.run_coroutine_threadsafe(record_directly(runtime_service, events),
                                              server_loop(server))
    future.result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        broker.stop()


def server_loop(server: uvicorn.Server) -> asyncio.AbstractEventLoop:
    """The event loop uvicorn runs the app in (the database engine belongs to it)."""
    return next(iter(server.servers)).get_loop()


def fuzz(operation, base_url: str, cases: dict[str, int]) -> None:  # noqa: ANN001
    """200 generated cases against one operation, with a token that may call it."""
    label = f"{operation.method.upper()} {operation.path}"
    role = Role.COORDINATOR if operation.path == "/cases/count" else Role.PROVIDER
    headers = token(role, "vhs-a" if role is Role.PROVIDER else None)

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def answers_without_server_error(case) -> None:  # noqa: ANN001
        cases[label] = cases.get(label, 0) + 1
        response = case.call(base_url=base_url, headers=headers)
        assert response.status_code < 500, (label, response.text[:500])

    answers_without_server_error()


def test_no_operation_answers_with_a_server_error(served_progress):  # noqa: ANN001
    schema = schemathesis.openapi.from_url(f"{served_progress}/openapi.json")
    cases: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        # Health endpoints are the shared runtime's; /readyz answers 503 by design while the
        # broker connection is still being made.
        if operation.path not in ("/healthz", "/readyz"):
            fuzz(operation, served_progress, cases)
    with_inputs = {label: count for label, count in cases.items()
                   if label.startswith("POST") or "{" in label}
    assert with_inputs and all(count >= 200 for count in with_inputs.values()), cases
