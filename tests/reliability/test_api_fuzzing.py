"""schemathesis over every service's OpenAPI: at least 1,000 generated cases per service, none
answered with a server error, every documented answer matching its schema. Each service runs
for real (uvicorn, SQLite, the session's Apache Kafka) with a little data, so that generated
requests also reach the rules behind validation.

Intake's and progress's issues ask for 200 cases per operation with inputs, and so they get
them in every run. Assignment's 18 operations would take 3,600 cases that way — the longest
test of ``make test`` (70 s of CPU alone, over 300 s on a loaded two-core run) — so ``make
test`` spreads its 1,000 over the operations, and ``make verify`` (``ANKOMMEN_VERIFY=1``)
runs 200 per operation for every service."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ankommen.shared.identity.auth import Role
from tests.assignment.support import course_body
from tests.progress.integration.catalogue import catalogue_events, record_directly
from tests.support.figures import record
from tests.support.fuzzing import ServedInThread, fuzz_every_operation, served_in_thread
from tests.support.services import RunningService, token
from tests.support.surveys import registration

#: 30-70 s of CPU per service alone; on a loaded two-core run three to four times as long.
pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]

CASES_PER_SERVICE = 1000
#: Cases per operation with inputs where the service's issue asks for them (``None``: the
#: service's 1,000 spread over its operations), and for all in the reliability proof.
PER_OPERATION = {"intake": 200, "progress": 200}
VERIFY = os.environ.get("ANKOMMEN_VERIFY") == "1"
#: Fuzzing is not an attack on the rate limits (tested in test_hardening.py).
GENEROUS = {"login_rate_limit": "100000/minute"}


def seed_intake(served: ServedInThread) -> None:
    seeded = httpx.post(f"{served.base_url}/cases", json=registration(),
                        headers=token(Role.INTAKE_STAFF), timeout=30)
    assert seeded.status_code == 201, seeded.text


def seed_assignment(served: ServedInThread) -> None:
    seeded = httpx.post(f"{served.base_url}/courses", json=course_body("course-fuzz", "vhs-a"),
                        headers=token(Role.COORDINATOR), timeout=30)
    assert seeded.status_code == 201, seeded.text


def seed_progress(served: ServedInThread) -> None:
    events, _ = catalogue_events("vhs-a", ["REF-FUZZ01"])
    service = RunningService("progress", None, served.app.state.runtime)
    asyncio.run_coroutine_threadsafe(record_directly(service, events), served.loop).result(30)


def intake_headers(operation: Any) -> dict[str, str]:  # noqa: ANN401
    return token(Role.ADMIN if operation.path == "/audit" else Role.INTAKE_STAFF)


def assignment_headers(operation: Any) -> dict[str, str]:  # noqa: ANN401
    return token(Role.COORDINATOR)


def progress_headers(operation: Any) -> dict[str, str]:  # noqa: ANN401
    return token(Role.COORDINATOR) if operation.path == "/cases/count" else \
        token(Role.PROVIDER, "vhs-a")


def monitoring_headers(operation: Any) -> dict[str, str]:  # noqa: ANN401
    return token(Role.ADMIN)


SERVICES: dict[str, tuple[Callable[[ServedInThread], None] | None, Callable, dict]] = {
    "intake": (seed_intake, intake_headers, {"search_rate_limit": "100000/minute"}),
    "assignment": (seed_assignment, assignment_headers, {}),
    "progress": (seed_progress, progress_headers, {}),
    "monitoring": (None, monitoring_headers, {"public_rate_limit": "100000/minute",
                                               "tables_per_client_per_day": 10_000_000}),
}


@pytest.mark.parametrize("service", list(SERVICES))
def test_no_operation_answers_with_a_server_error_or_against_its_schema(
        service, kafka, tmp_path):  # noqa: ANN001
    seed, headers_for, overrides = SERVICES[service]
    with served_in_thread(service, tmp_path, kafka.bootstrap_servers, **GENEROUS,
                          **overrides) as served:
        if seed:
            seed(served)
        cases = fuzz_every_operation(served.base_url, headers_for, tmp_path / "hypothesis",
                                     total=CASES_PER_SERVICE,
                                     per_operation=200 if VERIFY else PER_OPERATION.get(service))
    record("fuzzing", f"{service}: operations", len(cases))
    record("fuzzing", f"{service}: generated cases", sum(cases.values()))
    record("fuzzing", f"{service}: fewest cases of an operation with inputs",
           min(count for count in cases.values() if count > 1))
    assert sum(cases.values()) >= CASES_PER_SERVICE, cases
