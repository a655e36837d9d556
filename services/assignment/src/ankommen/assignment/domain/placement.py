"""A placement (*Vermittlung*): a seat offered to a person, seen by the provider only through
its referral code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlacementStatus(StrEnum):
    OFFERED = "offered"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    DISCONTINUED = "discontinued"
    COMPLETED = "completed"


#: Placements that hold a seat.
ACTIVE = frozenset({PlacementStatus.OFFERED, PlacementStatus.CONFIRMED})


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

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
