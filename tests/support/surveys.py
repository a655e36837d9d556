"""Example survey answers for tests: valid by default, any field overridable."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "docs" / "examples"
                      / "registration.json").read_text())


def registration(**survey_overrides: Any) -> dict[str, Any]:
    """A registration request body (the documented example, with overrides)."""
    body = copy.deepcopy(EXAMPLE)
    body["survey"].update(survey_overrides)
    return body


def survey(**overrides: Any) -> dict[str, Any]:
    return registration(**overrides)["survey"]
