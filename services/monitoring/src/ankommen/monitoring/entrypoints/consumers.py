"""Monitoring's only Kafka consumer: the facts topic, in batches (each folded in memory and
written at once), for every registered fact type — also those monitoring does not aggregate
yet, so that operators see them arrive. It keeps no inbox rows: the facts archive is its record
of what it processed (:mod:`service.handlers`)."""

from ankommen.monitoring.adapters.unit_of_work import MonitoringUnitOfWork
from ankommen.monitoring.config import MonitoringRuntime, MonitoringSettings
from ankommen.monitoring.domain.facts import admit_only_facts
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import BatchEventConsumer
from ankommen.shared.messaging.topics import FACTS

PURPOSE = "facts"


def facts(runtime: MonitoringRuntime, settings: MonitoringSettings
          ) -> BatchEventConsumer[MonitoringUnitOfWork]:
    group_id = runtime.group_id(PURPOSE)
    # No inbox rows: the facts archive, written in the same transaction, is the record of
    # what was processed (service.handlers).
    return BatchEventConsumer(group_id=group_id, topic=FACTS, uow=runtime.uow, inbox=False,
                              handler=fact_recorder(settings.bounds(), runtime.clock, group_id),
                              event_types=tuple(model for model in registry.models.values()
                                                if issubclass(model, Fact)),
                              check=admit_only_facts,
                              max_attempts=runtime.settings.consumer_max_attempts,
                              max_records=settings.facts_batch_size,
                              batch_timeout_ms=settings.consumer_batch_wait_ms)
