"""A case (*Fall*): one person's pathway, known outside intake only by its pseudonym.

The pseudonym is random — never derived from identity — so it cannot be recomputed from a name
or a birth date; only intake's own table maps it back to a case.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from ankommen.shared.errors import Conflict, DomainError
from ankommen.shared.events.contracts.intake import ClosureReason, Survey


def new_pseudonym() -> str:
    """32 URL-safe characters from the OS's cryptographic random source (192 bits)."""
    return secrets.token_urlsafe(24)


def district_of(region_key: str) -> str:
    """The 5-digit district key (*Kreisschlüssel*) of a municipality or district key."""
    return region_key[:5]


@dataclass
class Case:
    survey: Survey
    registered_on: date
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    pseudonym: str = field(default_factory=new_pseudonym)
    closed_on: date | None = None
    closure_reason: ClosureReason | None = None

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def require_open(self) -> None:
        if self.is_closed:
            raise Conflict("case_id: the case is closed", field="case_id")

    def close(self, day: date, reason: ClosureReason) -> None:
        self.require_open()
        if day < self.registered_on:
            raise Conflict("closed_on: before the case was registered", field="closed_on")
        self.closed_on = day
        self.closure_reason = reason

    def survey_changes(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers that differ from the current survey, in their JSON form."""
        current = self.survey.model_dump(mode="json")
        try:
            proposed = Survey.model_validate({**self.survey.model_dump(), **answers}
                                             ).model_dump(mode="json")
        except ValidationError as error:
            problem = error.errors()[0]
            location = ".".join(str(part) for part in problem["loc"])
            reason = problem["msg"].removeprefix("Value error, ")
            detail = f"survey.{location}: {reason}" if location else f"survey: {reason}"
            raise DomainError(detail, field=f"survey.{location}" if location else "survey"
                              ) from None
        return {name: value for name, value in proposed.items() if current[name] != value}
