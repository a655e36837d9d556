"""Assignment's Kafka consumers."""

from ankommen.assignment.service.handlers import put_registered_case_on_waiting_list
from ankommen.shared.events.contracts.intake import CaseRegistered
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import CASES


def case_events(runtime: ServiceRuntime) -> EventConsumer:
    return EventConsumer(group_id=runtime.group_id("cases"), topic=CASES, uow=runtime.uow,
                         handlers={CaseRegistered: put_registered_case_on_waiting_list},
                         max_attempts=runtime.settings.consumer_max_attempts)
