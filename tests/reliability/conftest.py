"""The reliability proof (``make verify``): every test in this folder is marked
``reliability`` so that it can be run alone; the tests also run in ``make test``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.reliability)
