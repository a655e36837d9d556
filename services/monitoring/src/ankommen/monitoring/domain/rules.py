"""The publication rules of issue 15, as one object that tests of the rules can switch off.

Built from the settings with every rule on (:meth:`MonitoringSettings.publication_rules`); the
settings can raise the population threshold but cannot switch a rule off. Only a test passes a
switched-off copy in-process (``create_app(..., rules=...)``), to prove that an attacker who
succeeds without the rules fails with them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from ankommen.monitoring.domain.bounds import HISTORY_MONTHS
from ankommen.monitoring.domain.periods import Publication

#: The default population threshold: a table over fewer facts is not answered.
MIN_POPULATION = 20


@dataclass(frozen=True)
class PublicationRules:
    #: A table is answered only for a population of at least this many facts (R3).
    min_population: int = MIN_POPULATION
    #: A true zero is published like a small count ("·"), so it cannot be told from 1–4 (R4).
    protect_zeros: bool = True
    #: Only closed periods (end of the last month + grace passed) are published (R2).
    closed_only: bool = True
    #: Nested populations must differ by 0 or at least ``min_population`` facts (R3).
    complement: bool = True
    #: Not switches: when a month closes, and the history published (from the settings).
    grace: timedelta = timedelta(days=5)
    history_months: int = HISTORY_MONTHS

    @property
    def publication(self) -> Publication:
        return Publication(self.grace, self.history_months, self.closed_only)

    def with_calendar(self, grace: timedelta, history_months: int) -> PublicationRules:
        """The same switches with the settings' calendar."""
        return replace(self, grace=grace, history_months=history_months)
