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
#: Placements assignment may still take back (withdraw, expire): progress has not recorded an
#: enrolment for them. An enrolled placement ends only by the provider's completion or
#: discontinuation (docs/participation.md).
UNDECIDED_BY_PROGRESS = frozenset({PlacementStatus.OFFERED, PlacementStatus.CONFIRMED})
#: Placements assignment may take back (case closed, course cancelled, postponed or ended).
WITHDRAWABLE = UNDECIDED_BY_PROGRESS
#: Placements assignment ended: an event of progress about one of them lost the race against
#: the end and changes nothing here ("withdrawal wins", docs/participation.md).
ENDED_HERE = frozenset({PlacementStatus.DECLINED, PlacementStatus.WITHDRAWN,
                        PlacementStatus.EXPIRED})


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
    explanation: dict[str, object]
    #: The last day the offer may be confirmed; None for offers made before offers expired.
    expires_on: date | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def withdrawable(self) -> bool:
        return self.status in WITHDRAWABLE


@dataclass(frozen=True)
class OfferRow:
    """One placement as the provider's referrals page lists it: no pseudonym, the code only."""

    referral_code: str
    course_title: str
    region_key: str
    status: PlacementStatus
    offered_on: date
    expires_on: date | None
