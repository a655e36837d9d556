"""Monitoring's only Kafka consumer: the facts topic, in batches (each folded in memory and
written at once), for every registered fact type — also those monitoring does not aggregate
yet, so that operators see them arrive."""

from ankommen.monitoring.config import MonitoringSettings
from ankommen.monitoring.domain.facts import admit_only_facts
from ankommen.monitoring.service.handlers import fact_recorder
from ankommen.shared.events.contracts.facts import Fact
from ankommen.shared.events.registry import registry
from ankommen.shared.messaging.consumer import BatchEventConsumer
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import FACTS

PURPOSE = "facts"


def facts(runtime: ServiceRuntime, settings: MonitoringSettings) -> BatchEventConsumer:
    return BatchEventConsumer(group_id=runtime.group_id(PURPOSE), topic=FACTS, uow=runtime.uow,
                              handler=fact_recorder(settings.bounds(), runtime.clock),
                              event_types=tuple(model for model in registry.models.values()
                                                if issubclass(model, Fact)),
                              check=admit_only_facts,
                              max_attempts=runtime.settings.consumer_max_attempts,
                              max_records=settings.facts_batch_size,
                              batch_timeout_ms=settings.consumer_batch_wait_ms)
