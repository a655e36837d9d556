"""Example registrations for tests: valid by default, any survey field overridable.

Each call invents a different person (random name, birth date and file number), so that
tests registering several arrivals are not stopped by intake's duplicate detection; pass an
``identity`` to register a particular person.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "docs" / "examples"
                      / "registration.json").read_text())

_SYLLABLES = ("ba", "ko", "ri", "ta", "mu", "le", "so", "ne", "vi", "du", "pa", "gel",
              "tor", "min", "sar", "wek", "lom", "fin", "dax", "pru")


def invented_name(rng: random.Random, syllables: int = 3) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


def identity(**overrides: Any) -> dict[str, Any]:
    """An invented person, different on every call (unless overridden)."""
    rng = random.Random()
    person = copy.deepcopy(EXAMPLE["identity"])
    person.update(
        family_name=invented_name(rng, 4), given_names=invented_name(rng, 3),
        birth_date=(date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))).isoformat(),
        file_numbers=[{"kind": "federal_office",
                       "number": f"{rng.randrange(10**7):07d}-{rng.randrange(1000):03d}"}])
    person.update(overrides)
    return person


def registration(*, person: dict[str, Any] | None = None, **survey_overrides: Any
                 ) -> dict[str, Any]:
    """A registration request body: the documented survey (with overrides) and a person."""
    body = copy.deepcopy(EXAMPLE)
    body["identity"] = person if person is not None else identity()
    body["survey"].update(survey_overrides)
    return body


def survey(**overrides: Any) -> dict[str, Any]:
    """The full pseudonymous survey as events carry it (with the age intake derives)."""
    return {"age_years": 34, **registration(**overrides)["survey"]}
