"""Intake's Kafka consumers: courses and placements (assignment) and the end of
participations (progress), for the disclosure of contact details to the provider of a
confirmed placement in an approved, running course of the county."""

from ankommen.intake.adapters.unit_of_work import IntakeUnitOfWork
from ankommen.intake.config import IntakeRuntime
from ankommen.intake.service import placements
from ankommen.shared.events.contracts import progress
from ankommen.shared.messaging.consumer import EventConsumer
from ankommen.shared.messaging.topics import COURSES, PARTICIPATION, PLACEMENTS


def course_events(runtime: IntakeRuntime) -> EventConsumer[IntakeUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("courses"), topic=COURSES, uow=runtime.uow,
                         handlers=placements.COURSE_EVENTS,
                         max_attempts=runtime.settings.consumer_max_attempts)


def placement_events(runtime: IntakeRuntime) -> EventConsumer[IntakeUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("placements"), topic=PLACEMENTS,
                         uow=runtime.uow,
                         handlers=dict.fromkeys(placements.PLACEMENT_STATUS,
                                                placements.record_placement),
                         max_attempts=runtime.settings.consumer_max_attempts)


def participation_events(runtime: IntakeRuntime) -> EventConsumer[IntakeUnitOfWork]:
    return EventConsumer(group_id=runtime.group_id("participation"), topic=PARTICIPATION,
                         uow=runtime.uow,
                         handlers=dict.fromkeys((*placements.PARTICIPATION_END,
                                                 progress.ReportCorrected),
                                                placements.record_participation),
                         max_attempts=runtime.settings.consumer_max_attempts)
