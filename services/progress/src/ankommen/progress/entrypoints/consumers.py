"""Progress's Kafka consumers."""

from ankommen.progress.service.handlers import remember_registered_case
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import CASES


def case_events(runtime: ServiceRuntime) -> EventConsumer:
    return EventConsumer(group_id=runtime.group_id("cases"), topic=CASES, uow=runtime.uow,
                         handlers={CaseRegistered: remember_registered_case},
                         max_attempts=runtime.settings.consumer_max_attempts)
