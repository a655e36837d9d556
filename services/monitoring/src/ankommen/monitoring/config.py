"""Settings of the monitoring service (environment prefix ``ANKOMMEN_MONITORING_``)."""

from datetime import timedelta
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.domain.bounds import HISTORY_MONTHS, Bounds
from ankommen.monitoring.domain.disclosure import DisclosurePolicy
from ankommen.monitoring.domain.rules import MIN_POPULATION, PublicationRules
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import RATE_LIMIT_PATTERN, ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_MONITORING_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "monitoring"
    default_http_port: ClassVar[int] = 8104

    #: No true count below this is ever published (1 … min_count - 1 show as "·").
    min_count: int = Field(5, ge=2, le=100)
    #: The largest noise the Cell Key Method adds to or takes from a count.
    max_deviation: int = Field(2, ge=0, le=10)
    #: Medians and percentiles only for cells with at least this many facts.
    min_distribution: int = Field(10, ge=2, le=1000)
    #: A table is answered only when its population (the facts of its period, area and fixed
    #: filters) has at least this many facts, and nested populations differ by 0 or at least
    #: this many (docs/monitoring.md, *Disclosure control*). It can be raised, not switched off.
    min_population: int = Field(MIN_POPULATION, ge=10, le=10_000)
    #: Days after a month's end during which its facts still count; then it is frozen (a
    #: fact for it is held for review, and counts only as an admin's correction).
    closed_month_grace_days: int = Field(5, ge=0, le=60)
    #: The months monitoring publishes, the current one included: a fact for an earlier month
    #: is held for review (too old to be anything but a mistake or a forgery).
    history_months: int = Field(HISTORY_MONTHS, ge=2, le=240)
    #: Facts the live consumer takes from the topic at once, folded and written together.
    facts_batch_size: int = Field(500, ge=1, le=5000)
    #: Goals of the annual report: the median wait in weeks at most …
    goal_median_wait_weeks: int = Field(6, ge=0, le=104)
    #: … and the share (percent) of exam takers reaching B1 at least.
    goal_b1_share_percent: int = Field(60, ge=0, le=100)
    #: Requests per client address to the public statistics and pages (``limits`` notation),
    #: see ankommen.monitoring.entrypoints.limits.
    public_rate_limit: str = Field("120/minute", pattern=RATE_LIMIT_PATTERN)
    #: Distinct tables one client address may read in 24 hours (tables it read are still
    #: answered beyond it).
    tables_per_client_per_day: int = Field(1000, ge=1, le=10_000_000)

    @property
    def disclosure(self) -> DisclosurePolicy:
        return DisclosurePolicy(self.min_count, self.max_deviation, self.min_distribution)

    def publication_rules(self) -> PublicationRules:
        """The publication rules, every one on (the settings cannot switch them off)."""
        return PublicationRules(self.min_population, grace=self.closed_month_grace,
                                history_months=self.history_months)

    @property
    def closed_month_grace(self) -> timedelta:
        return timedelta(days=self.closed_month_grace_days)

    def bounds(self) -> Bounds:
        """The rules a fact must meet to count: the county's districts and the time rules
        (a new object each time: it caches per moment)."""
        return Bounds(self.districts, self.closed_month_grace, self.history_months)


#: The runtime as monitoring's code sees it: its settings typed as :class:`MonitoringSettings`,
#: its units of work as :class:`MonitoringUnitOfWork` (with the repositories).
MonitoringRuntime = ServiceRuntime[MonitoringSettings, MonitoringUnitOfWork]
