"""Monitoring's only Kafka consumer: the facts topic."""

from ankommen.monitoring.domain.facts import admit_only_facts
from ankommen.monitoring.service.handlers import count_arrival
from ankommen.shared.events.contracts.facts import ArrivalFact
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import FACTS


def facts(runtime: ServiceRuntime) -> EventConsumer:
    return EventConsumer(group_id=runtime.group_id("facts"), topic=FACTS, uow=runtime.uow,
                         handlers={ArrivalFact: count_arrival}, check=admit_only_facts,
                         max_attempts=runtime.settings.consumer_max_attempts)
