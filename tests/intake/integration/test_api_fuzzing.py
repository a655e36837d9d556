"""schemathesis over intake's OpenAPI: at least 200 generated cases per operation, none
answered with a server error. Intake runs for real (uvicorn, SQLite, broker), with one
registered case so that generated requests also reach the duplicate check."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ankommen.shared.auth import Role
from tests.support.fuzzing import fuzz_every_operation, served_in_thread
from tests.support.services import token
from tests.support.surveys import registration


@pytest.fixture(scope="module")
def served_intake(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    with served_in_thread("intake", tmp_path_factory.mktemp("intake-fuzzing")) as served:
        seeded = httpx.post(f"{served.base_url}/cases", json=registration(),
                            headers=token(Role.INTAKE_STAFF), timeout=30)
        assert seeded.status_code == 201, seeded.text
        yield served.base_url


def test_no_intake_operation_answers_with_a_server_error(served_intake):  # noqa: ANN001
    cases = fuzz_every_operation(served_intake, lambda operation: token(
        Role.ADMIN if operation.path == "/audit" else Role.INTAKE_STAFF))
    assert len(cases) >= 11 and all(count >= 200 for count in cases.values()), cases
