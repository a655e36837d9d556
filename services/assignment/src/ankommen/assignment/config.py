"""Settings of the assignment service (environment prefix ``ANKOMMEN_ASSIGNMENT_``)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.domain.lifecycle import (
    DEFAULT_OFFER_RESPONSE_DAYS,
    DEFAULT_POSTPONEMENT_WEEKS,
)
from ankommen.assignment.domain.scoring import PriorityRules
from ankommen.assignment.service.allocation import AllocationPolicy
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import ServiceSettings


class AssignmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_ASSIGNMENT_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "assignment"
    default_http_port: ClassVar[int] = 8102

    #: Priority when seats are short: points per week on the waiting list …
    priority_per_waiting_week: int = Field(1, ge=0, le=100)
    #: … and for an obligation to attend (*Teilnahmepflicht*).
    priority_obligation_bonus: int = Field(20, ge=0, le=1000)
    #: Reallocate after every relevant event; off: a coordinator runs allocations by hand.
    allocate_on_events: bool = True
    #: Minutes between scheduled allocation rounds: the full optimiser over everyone waiting
    #: (consumed events place incrementally, docs/assignment.md "When placement happens"), so
    #: that every month gets its unmet demand and seat figures and every waiting reason is
    #: re-stated; 0 switches them off.
    allocation_interval_minutes: float = Field(60, ge=0, le=7 * 24 * 60)
    #: Case and participation events taken per batch (one transaction, one allocation each).
    event_batch_size: int = Field(500, ge=1, le=5000)
    #: Days an offer waits for the provider's confirmation before it expires, where its
    #: course sets none (``Course.offer_response_days``); docs/assignment.md says why 14.
    offer_response_days: int = Field(DEFAULT_OFFER_RESPONSE_DAYS, ge=1, le=60)
    #: Weeks a course short of its minimum on its start day is postponed by (once).
    postponement_weeks: int = Field(DEFAULT_POSTPONEMENT_WEEKS, ge=1, le=52)
    #: Unmet-demand groups smaller than this are merged upwards or hidden.
    disclosure_minimum: int = Field(5, ge=1, le=100)

    @property
    def priority(self) -> PriorityRules:
        return PriorityRules(self.priority_per_waiting_week, self.priority_obligation_bonus)

    @property
    def allocation_policy(self) -> AllocationPolicy:
        return AllocationPolicy(self.priority, self.allocate_on_events, self.districts,
                                offer_response_days=self.offer_response_days,
                                postponement_weeks=self.postponement_weeks)


#: The runtime as assignment's code sees it: its settings typed as :class:`AssignmentSettings`,
#: its units of work as :class:`AssignmentUnitOfWork` (with assignment's repositories).
AssignmentRuntime = ServiceRuntime[AssignmentSettings, AssignmentUnitOfWork]
