"""A suspected duplicate (*Dublettenverdacht*): two cases that may be one person.

Raised at registration (and decided there by staff), or recorded later when someone notices;
an open suspicion is resolved by merging the cases or by dismissing it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from ankommen.shared.errors import Conflict


class SuspicionStatus(StrEnum):
    OPEN = "open"
    #: Staff confirmed two different people.
    DIFFERENT_PERSON = "different_person"
    MERGED = "merged"


@dataclass(frozen=True)
class Candidate:
    """An existing case that may be the person being registered, with how likely."""

    case_id: uuid.UUID
    score: float
    registered_on: date | None = None


@dataclass
class DuplicateSuspected:
    case_id: uuid.UUID
    other_case_id: uuid.UUID
    score: float
    #: From the service's clock (the domain never reads the time itself).
    detected_at: datetime
    status: SuspicionStatus = SuspicionStatus.OPEN
    suspicion_id: uuid.UUID = field(default_factory=uuid.uuid4)
    resolved_at: datetime | None = None

    def resolve(self, status: SuspicionStatus, at: datetime) -> None:
        if self.status is not SuspicionStatus.OPEN:
            raise Conflict("suspicion_id: already resolved", field="suspicion_id")
        self.status = status
        self.resolved_at = at
