"""Why a report was refused: the field and the reason, and what kind of refusal it is
(which decides the HTTP status; on Kafka and in CSV results only field and reason count)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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
    """``reason`` is the English text API clients and provider topics get. ``text`` (a key of
    the pages' catalogue) and ``values`` let a German page say the same in German; a problem
    without ``text`` shows ``reason`` on the pages too. ``error_type`` is the type of a
    shape error (pydantic's ``missing``, ``enum`` …): pages say it in words by its type."""

    field: str
    reason: str
    kind: ProblemKind = ProblemKind.INVALID
    text: str | None = None
    values: Mapping[str, object] = dataclasses.field(default_factory=dict[str, object],
                                                      compare=False)
    error_type: str | None = dataclasses.field(default=None, compare=False)
