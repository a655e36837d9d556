"""Assignment's Kafka consumers: case events from intake, participation events from progress."""

from ankommen.assignment.service.handlers import case_handlers, participation_handlers
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.topics import CASES, PARTICIPATION


def case_events(runtime: ServiceRuntime) -> EventConsumer:
    return EventConsumer(group_id=runtime.group_id("cases"), topic=CASES, uow=runtime.uow,
                         handlers=case_handlers(runtime.settings.allocation_policy),
                         max_attempts=runtime.settings.consumer_max_attempts)


def participation_events(runtime: ServiceRuntime) -> EventConsumer:
    return EventConsumer(group_id=runtime.group_id("participation"), topic=PARTICIPATION,
                         uow=runtime.uow,
                         handlers=participation_handlers(runtime.settings.allocation_policy),
                         max_attempts=runtime.settings.consumer_max_attempts)
