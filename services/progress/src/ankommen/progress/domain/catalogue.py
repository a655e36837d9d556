"""What progress knows of courses and placements (*Vermittlungen*), as assignment announced
them: enough to check that a provider's report belongs to one of its own placements and fits
the course period and hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlacementStatus(StrEnum):
    """The placement's status as assignment announced it (its decision: docs/participation.md);
    what happens inside a placement once the person is enrolled is progress's own
    :class:`~ankommen.progress.domain.participation.Status`."""

    OFFERED = "offered"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        """Reports are taken for offered and confirmed placements only (an enrolment for a
        confirmed one only, ``validation.check_placement``). Declined, withdrawn and expired
        placements are over for good: assignment gave their seat away, so a report for one —
        the enrolment that lost the race against a withdrawal included — is refused."""
        return self in (PlacementStatus.OFFERED, PlacementStatus.CONFIRMED)


@dataclass(frozen=True)
class Course:
    course_id: str
    provider_id: str
    title: str
    course_type: str
    region_key: str
    starts_on: date
    ends_on: date
    hours: int
    cancelled: bool = False

    @property
    def district(self) -> str:
        """The district key (first five digits of the region key), the grain of facts."""
        return self.region_key[:5]


@dataclass(frozen=True)
class Placement:
    referral_code: str
    placement_id: str
    pseudonym: str
    course_id: str
    provider_id: str
    status: PlacementStatus
    #: The participant's German level when the placement was offered, if known.
    level_at_start: str | None = None
