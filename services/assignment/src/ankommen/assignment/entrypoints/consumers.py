"""Assignment's Kafka consumers: case events from intake, participation events from progress.

Both take their topic in batches: one transaction per batch with one allocation at its end
(see ``service/handlers.py``); the shared batch consumer keeps the inbox, dead-letters an
invalid or failing message alone and hands a batch back when the database is unreachable.
"""

from ankommen.assignment.adapters.unit_of_work import AssignmentUnitOfWork
from ankommen.assignment.config import AssignmentRuntime
from ankommen.assignment.service.handlers import (
    CASE_EVENTS,
    CASE_EVENTS_IN_BULK,
    PARTICIPATION_EVENTS,
    BulkHandler,
    Handler,
    applying_then_allocating,
)
from ankommen.shared.messaging.consumer import BatchEventConsumer
from ankommen.shared.messaging.topics import CASES, PARTICIPATION, Topic


def _batches(runtime: AssignmentRuntime, purpose: str, topic: Topic,
             handlers: dict[type, Handler], in_bulk: dict[type, BulkHandler] | None = None
             ) -> BatchEventConsumer[AssignmentUnitOfWork]:
    settings = runtime.settings
    return BatchEventConsumer(
        group_id=runtime.group_id(purpose), topic=topic, uow=runtime.uow,
        handler=applying_then_allocating(handlers, settings.allocation_policy,
                                         in_bulk=in_bulk),
        event_types=tuple(handlers), max_attempts=settings.consumer_max_attempts,
        max_records=settings.event_batch_size,
        batch_timeout_ms=settings.consumer_batch_wait_ms)


def case_events(runtime: AssignmentRuntime) -> BatchEventConsumer[AssignmentUnitOfWork]:
    return _batches(runtime, "cases", CASES, CASE_EVENTS, CASE_EVENTS_IN_BULK)


def participation_events(runtime: AssignmentRuntime) -> BatchEventConsumer[AssignmentUnitOfWork]:
    return _batches(runtime, "participation", PARTICIPATION, PARTICIPATION_EVENTS)
