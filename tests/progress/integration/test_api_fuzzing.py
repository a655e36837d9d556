"""schemathesis over progress's OpenAPI: at least 200 generated cases per operation, none
answered with a server error. The service runs for real (uvicorn, SQLite, broker)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from ankommen.shared.auth import Role
from tests.progress.integration.catalogue import catalogue_events, record_directly
from tests.support.fuzzing import fuzz_every_operation, served_in_thread
from tests.support.services import RunningService, token


@pytest.fixture(scope="module")
def served_progress(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """Progress with one placement, so that some generated reports reach the validation
    rules."""
    with served_in_thread("progress", tmp_path_factory.mktemp("fuzzing")) as served:
        events, _ = catalogue_events("vhs-a", ["REF-FUZZ01"])
        service = RunningService("progress", None, served.app.state.runtime)
        asyncio.run_coroutine_threadsafe(record_directly(service, events),
                                         served.loop).result(30)
        yield served.base_url


def headers_for(operation) -> dict[str, str]:  # noqa: ANN001
    if operation.path == "/cases/count":
        return token(Role.COORDINATOR)
    return token(Role.PROVIDER, "vhs-a")


def test_no_operation_answers_with_a_server_error(served_progress):  # noqa: ANN001
    cases = fuzz_every_operation(served_progress, headers_for)
    with_inputs = {label: count for label, count in cases.items()
                   if label.startswith("POST") or "{" in label}
    assert with_inputs and all(count >= 200 for count in with_inputs.values()), cases
