"""One participation's state as both services show it (docs/participation.md).

Assignment decides offered, confirmed, declined, expired and withdrawn; progress decides
enrolled, completed and discontinued from the provider's reports. Progress keeps the two
halves apart (the placement status it mirrors from assignment's events, the participation
folded from the reports) and combines them here into the one state the docs define, so that
once the events have flowed it equals assignment's placement status for the same person.
"""

from __future__ import annotations

from enum import StrEnum

from ankommen.progress.domain.catalogue import PlacementStatus
from ankommen.progress.domain.participation import Status


class ParticipationState(StrEnum):
    """The combined state; the values are assignment's placement statuses."""

    OFFERED = "offered"
    CONFIRMED = "confirmed"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


#: Placement statuses that end a participation whatever the reports say: a withdrawal that
#: raced an enrolment wins (docs/participation.md, "the race").
ENDED_BY_ASSIGNMENT = {status: ParticipationState(status.value) for status in (
    PlacementStatus.DECLINED, PlacementStatus.WITHDRAWN, PlacementStatus.EXPIRED)}
BY_REPORTS = {
    Status.ENROLLED: ParticipationState.ENROLLED,
    Status.INTERRUPTED: ParticipationState.ENROLLED,
    Status.COMPLETED: ParticipationState.COMPLETED,
    Status.DISCONTINUED: ParticipationState.DISCONTINUED,
}


def combined_state(placement: PlacementStatus, participation: Status) -> ParticipationState:
    """Assignment's word if it ended the placement, else the reports' word; a person without
    an enrolment is where assignment's placement is (offered or confirmed). An interruption
    is progress's detail inside "enrolled"."""
    if placement in ENDED_BY_ASSIGNMENT:
        return ENDED_BY_ASSIGNMENT[placement]
    if participation is Status.REFERRED:
        return ParticipationState(placement.value)
    return BY_REPORTS[participation]
