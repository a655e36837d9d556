"""Why a report was refused: the field and the reason, and what kind of refusal it is
(which decides the HTTP status; on Kafka and in CSV results only field and reason count)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    #: The referral code is not a placement in one of this provider's courses.
    FORBIDDEN = "forbidden"
    #: The report contradicts the participation's state or an earlier report.
    CONFLICT = "conflict"
    #: A value is impossible (date outside the course, more hours than planned …).
    INVALID = "invalid"


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    kind: ProblemKind = ProblemKind.INVALID
