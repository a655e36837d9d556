"""A placement (*Vermittlung*): a seat offered to a person, seen by the provider only through
its referral code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlacementStatus(StrEnum):
    """One participation's state as assignment knows it (docs/participation.md): offered →
    confirmed → enrolled → completed | discontinued, or offered/confirmed → declined |
    withdrawn, or offered → expired. Enrolled, completed and discontinued come from
    progress's events."""

    OFFERED = "offered"
    CONFIRMED = "confirmed"
    ENROLLED = "enrolled"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    DISCONTINUED = "discontinued"
    COMPLETED = "completed"


#: Placements that hold a seat.
ACTIVE = frozenset({PlacementStatus.OFFERED, PlacementStatus.CONFIRMED,
                    PlacementStatus.ENROLLED})


@dataclass(frozen=True)
class PlacementRecord:
    placement_id: str
    pseudonym: str
    course_id: str
    provider_id: str
    referral_code: str
    status: PlacementStatus
    offered_on: date
    waiting_since: date
    childcare: bool
    explanation: dict
    #: The last day the offer may be confirmed; None for offers made before offers expired.
    expires_on: date | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
