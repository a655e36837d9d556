"""Progress's Kafka consumers: one consumer group per topic it reads."""

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.config import ProgressRuntime
from ankommen.progress.service import catalogue
from ankommen.progress.service.provider_topic import receive_provider_reports
from ankommen.shared.events.contracts import assignment
from ankommen.shared.events.contracts.progress import ProviderReportSubmitted
from ankommen.shared.messaging.consumer import BatchEventConsumer, EventConsumer
from ankommen.shared.messaging.topics import CASES, COURSES, PLACEMENTS, PROVIDER_REPORTS


def case_events(runtime: ProgressRuntime) -> EventConsumer[ProgressUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("cases"), topic=CASES, uow=runtime.uow,
                         handlers=catalogue.CASE_EVENTS,
                         max_attempts=runtime.settings.consumer_max_attempts)


def course_events(runtime: ProgressRuntime) -> EventConsumer[ProgressUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("courses"), topic=COURSES, uow=runtime.uow,
                         handlers={assignment.CoursePublished: catalogue.record_course,
                                   assignment.CourseUpdated: catalogue.record_course,
                                   assignment.CourseCancelled: catalogue.cancel_course},
                         max_attempts=runtime.settings.consumer_max_attempts)


def placement_events(runtime: ProgressRuntime) -> EventConsumer[ProgressUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("placements"), topic=PLACEMENTS,
                         uow=runtime.uow,
                         handlers={event: catalogue.record_placement
                                   for event in catalogue.PLACEMENT_STATUS},
                         max_attempts=runtime.settings.consumer_max_attempts)


def provider_reports(runtime: ProgressRuntime) -> BatchEventConsumer[ProgressUnitOfWork]:
    """The bulk path: providers' systems may send thousands of reports at once. One group
    reads every provider's reports topic (by pattern, so a provider added later is read
    too, once the service's metadata shows its topic)."""
    return BatchEventConsumer(group_id=runtime.group_id("provider-reports"),
                              topic=PROVIDER_REPORTS, uow=runtime.uow,
                              handler=receive_provider_reports,
                              event_types=(ProviderReportSubmitted,),
                              max_attempts=runtime.settings.consumer_max_attempts,
                              max_records=runtime.settings.provider_report_batch_size,
                              batch_timeout_ms=runtime.settings.consumer_batch_wait_ms)
