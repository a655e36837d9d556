"""What a provider may read: its own participants (by referral code, never a pseudonym) and
the full report history of one of them, superseded and retracted reports included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.progress.domain.participation import Standing, Status, replay, standings
from ankommen.progress.domain.state import ParticipationState, combined_state
from ankommen.progress.domain.validation import NOT_YOURS
from ankommen.shared.errors import Forbidden
from ankommen.shared.events.contracts.progress import Report


@dataclass(frozen=True)
class ParticipantView:
    referral_code: str
    course_id: str
    course_title: str
    placement_status: str
    status: Status
    #: The one state both services show (docs/participation.md): a withdrawal that raced an
    #: enrolment shows as withdrawn, whatever the reports say.
    state: ParticipationState


@dataclass(frozen=True)
class HistoryEntry:
    sequence: int
    channel: str
    received_at: datetime
    standing: Standing
    report: Report


@dataclass(frozen=True)
class HistoryView:
    participant: ParticipantView
    entries: list[HistoryEntry]


async def known_cases(uow: ProgressUnitOfWork) -> int:
    """How many cases progress knows (for coordinators; no case is named)."""
    return await uow.cases.count()


async def participants(uow: ProgressUnitOfWork, provider_id: str) -> list[ParticipantView]:
    catalogue = uow.catalogue
    placements = await catalogue.placements_of_provider(provider_id)
    courses = await catalogue.courses({placement.course_id for placement in placements})
    histories = await uow.reports.histories(
        placement.referral_code for placement in placements)
    views: list[ParticipantView] = []
    for placement in placements:
        state, _ = replay([stored.report for stored in histories.get(placement.referral_code,
                                                                      [])])
        course = courses.get(placement.course_id)
        views.append(ParticipantView(
            referral_code=placement.referral_code, course_id=placement.course_id,
            course_title=course.title if course else "", status=state.status,
            placement_status=placement.status.value,
            state=combined_state(placement.status, state.status)))
    return views


async def history(uow: ProgressUnitOfWork, provider_id: str, referral_code: str) -> HistoryView:
    catalogue = uow.catalogue
    placement = (await catalogue.placements([referral_code])).get(referral_code)
    if placement is None or placement.provider_id != provider_id:
        raise Forbidden(NOT_YOURS, field="referral_code")
    course = (await catalogue.courses([placement.course_id])).get(placement.course_id)
    stored = (await uow.reports.histories([referral_code])).get(
        referral_code, [])
    reports = [item.report for item in stored]
    state, _ = replay(reports)
    standing = standings(reports)
    return HistoryView(
        participant=ParticipantView(
            referral_code=referral_code, course_id=placement.course_id,
            course_title=course.title if course else "", status=state.status,
            placement_status=placement.status.value,
            state=combined_state(placement.status, state.status)),
        entries=[HistoryEntry(sequence=item.sequence, channel=item.channel,
                              received_at=item.received_at,
                              standing=standing[item.report.report_id], report=item.report)
                 for item in stored])
