"""API fuzzing with schemathesis against a service that runs for real.

schemathesis calls the API synchronously, so the service runs on a real port in a thread of
its own (with its own event loop) and a SQLite database of its own, against the test's broker
(the session's Apache Kafka with fresh topics, from the ``kafka`` fixture): starting a broker
per service would cost seconds of JVM start-up each and prove nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import requests
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ankommen.tools.embedded import listening_socket
from tests.support.services import settings_for
from tests.support.source_tree import keep_hypothesis_out_of_the_tree

#: The shared runtime's health endpoints: /readyz answers 503 by design when the database does
#: not answer, which is not a server fault.
HEALTH_PATHS = ("/healthz", "/readyz")


@dataclass
class ServedInThread:
    base_url: str
    app: FastAPI
    server: uvicorn.Server

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the app runs in (its database engine belongs to it)."""
        return next(iter(self.server.servers)).get_loop()


@contextlib.contextmanager
def served_in_thread(service: str, folder: Path, bootstrap: str, **overrides: object
                     ) -> Iterator[ServedInThread]:
    """``service`` on a free port against the broker at ``bootstrap`` (its topics created)."""
    config = settings_for(service, kafka_bootstrap_servers=bootstrap,
                          database_url=f"sqlite+aiosqlite:///{folder / f'{service}.db'}",
                          migrate_on_startup=True, **overrides)
    app = importlib.import_module(f"ankommen.{service}.app").create_app(config)
    # A socket listening before the server starts: no other process can take its port.
    listener = listening_socket()
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), f"{service} did not start"
            time.sleep(0.05)
        yield ServedInThread(f"http://127.0.0.1:{port}", app, server)
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()


@contextlib.contextmanager
def hypothesis_storage(folder: Path) -> Iterator[None]:
    """Hypothesis keeps caches (constants, Unicode tables) in ``.hypothesis`` under the working
    directory, which is the source tree; while fuzzing they go to ``folder`` instead."""
    set_hypothesis_home_dir(folder)
    try:
        yield
    finally:
        keep_hypothesis_out_of_the_tree()


def fuzz_every_operation(base_url: str, headers_for: Callable[[Any], dict[str, str]],
                         storage: Path, total: int = 1000, per_operation: int | None = 200
                         ) -> dict[str, int]:
    """At least ``total`` generated cases, spread over every operation but the health checks,
    and up to ``per_operation`` for each operation with inputs (fewer only where hypothesis
    runs out of distinct inputs; ``None``: only the share of ``total``);
    fails on any 5xx and on any answer that contradicts the schema (a documented status with
    a body that does not match it). Returns the number of cases run per operation.
    Hypothesis's caches go to ``storage``."""
    with hypothesis_storage(storage):
        return _fuzz_every_operation(base_url, headers_for, total, per_operation)


def _fuzz_every_operation(base_url: str, headers_for: Callable[[Any], dict[str, str]],
                          total: int, per_operation: int | None) -> dict[str, int]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if operation.path not in HEALTH_PATHS]
    # An operation without inputs has one possible case; the others share the budget.
    varied = [operation for operation in operations if _has_inputs(operation)]
    examples = max(per_operation or 0, -(-total // max(1, len(varied))))
    cases: dict[str, int] = {}
    with _connection() as session:
        for operation in operations:
            _fuzz(operation, base_url, session, headers_for(operation),
                  examples if operation in varied else 1, cases)
    return cases


@contextlib.contextmanager
def _connection() -> Iterator[requests.Session]:
    """One kept-alive connection for all cases (a new one per case cost a tenth of the run),
    and no cookie kept between them: each case is one request of its own, as generated."""
    with requests.Session() as session:
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        yield session


def _has_inputs(operation: Any) -> bool:  # noqa: ANN401
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


def _fuzz(operation: Any, base_url: str, session: requests.Session,  # noqa: ANN401
          headers: dict[str, str], examples: int, cases: dict[str, int]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def answers_without_server_error(case) -> None:  # noqa: ANN001
        cases[label] = cases.get(label, 0) + 1
        response = case.call(base_url=base_url, session=session, headers=headers)
        assert response.status_code < 500, (label, response.text[:500])
        case.validate_response(response, checks=[not_a_server_error,
                                                 response_schema_conformance])

    answers_without_server_error()
